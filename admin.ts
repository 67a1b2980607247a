// `npm run admin:grant -- <email>`: make an existing account an operator.
// `npm run admin:invite -- <email>`: invite an address to sign up (invite-only mode).
// `npm run admin:app -- create --name NAME ...`, `npm run admin:rotate-keys`: see app/.server/identity/admin-cli.ts.
// `npm run audit:verify -- --org SLUG`: see app/.server/orgs/audit-chain/cli.ts.
// `npm run admin:webhook -- create --url URL --events a,b [--org SLUG]`: see app/.server/events/admin-cli.ts.
// `npm run admin:sso -- create (--org SLUG | --instance) --type oidc|saml ...`: see app/.server/sso/admin-cli.ts.
import { createSignupInvitation } from "./app/.server/accounts/signup-invitations";
import { migrateToLatest } from "./app/.server/database/migrate";
import { DataDirInUseError } from "./app/.server/database/pglite";
import { openAppDatabase } from "./app/.server/db";
import { getEnv } from "./app/.server/env";
import { runAppCommand, runRotateKeysCommand } from "./app/.server/identity/admin-cli";
import { getLogger } from "./app/.server/logger";
import { runAuditVerifyCommand } from "./app/.server/orgs/audit-chain/cli";
import { runWebhookCommand } from "./app/.server/events/admin-cli";
import { runSsoCommand } from "./app/.server/sso/admin-cli";
import { normalizeEmail } from "./app/utils/email-address";

/**
 * A data directory held by the running server is an expected situation with a
 * one-sentence remedy, not a crash: that sentence alone, exit code 1, for
 * every command. Anything else is a crash and keeps its stack trace.
 */
function explainOrRethrow(error: unknown): void {
  if (!(error instanceof DataDirInUseError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

const [command, rawEmail] = process.argv.slice(2);
if (command === "app" || command === "rotate-keys" || command === "audit-verify" || command === "webhook" || command === "sso") {
  const env = getEnv();
  const database = openAppDatabase(env, { logger: getLogger() });
  try {
    const { error } = await migrateToLatest(database.db);
    if (error) throw error;
    const args = process.argv.slice(3);
    const result =
      command === "app"
        ? await runAppCommand(database.db, env, args)
        : command === "audit-verify"
          ? await runAuditVerifyCommand(database.db, args)
          : command === "sso"
            ? await runSsoCommand(database.db, args)
          : command === "webhook"
            ? await runWebhookCommand(database.db, env, args)
            : await runRotateKeysCommand(database.db);
    (result.exitCode === 0 ? console.log : console.error)(JSON.stringify(result.output, null, 2));
    process.exitCode = result.exitCode;
  } catch (error) {
    explainOrRethrow(error);
  } finally {
    await database.close().catch(() => undefined);
  }
  process.exit();
}
const usage = "usage: npm run admin:grant -- <email>   |   npm run admin:invite -- <email>";
if (!command || !rawEmail || !["grant", "invite"].includes(command)) {
  console.error(usage);
  process.exit(2);
}
const normalized = normalizeEmail(rawEmail);
if (!normalized.ok) {
  console.error(normalized.message);
  process.exit(2);
}

const env = getEnv();
const database = openAppDatabase(env, { logger: getLogger() });
try {
  const { error } = await migrateToLatest(database.db);
  if (error) throw error;
  if (command === "grant") {
    const updated = await database.db.updateTable("user").set({ is_operator: true }).where("email", "=", normalized.email).returning("email").executeTakeFirst();
    if (!updated) {
      console.error(`No account uses ${normalized.email}. Sign up first, then run this again.`);
      process.exitCode = 1;
    } else {
      console.log(`${updated.email} is now an operator: /admin is open to them.`);
    }
  } else {
    const { queued } = await database.db.transaction().execute((tx) => createSignupInvitation(tx, normalized.email, "operator"));
    console.log(queued ? `Invitation queued for ${normalized.email}.` : `Not sent: ${normalized.email} has had too many emails this hour.`);
  }
} catch (error) {
  explainOrRethrow(error);
} finally {
  await database.close().catch(() => undefined);
}
