// Everything that runs outside requests: email delivery, the work login and
// recovery requests defer, and periodic clean-up.
// It runs inside the web server by default (RUN_WORKER=true) and alone with
// `npm run worker`; every piece is safe to run in any number of processes.
import type { Logger } from "pino";
import type { Database } from "../db";
import { DEFAULT_DELIVERY } from "../email/delivery";
import { createTransport } from "../email/transport";
import { startEmailWorker } from "../email/worker";
import type { Env } from "../env";
import { purgeDueAccounts } from "../accounts/deletion";
import { startDeferredAccountWorker } from "../accounts/deferred-work-worker";
import { startBillingWork } from "../billing/background";
import { billingMode } from "../billing/settings";
import { FANOUT_BATCH_SIZE, fanOutNoticeBatch } from "../notices/fanout";
import { recordDueCheckpoints, resealStaleOrgKeys } from "../orgs/audit-chain/checkpoints";
import { sendCertificateExpiryNotices } from "../sso/saml/certificate-expiry";
import { deleteExpiredRows } from "./cleanup";
import { DEFAULT_WEBHOOK_DELIVERY } from "../events/delivery";
import { startWebhookWorker } from "../events/worker";
import { startPollingLoop } from "./polling-loop";
import { runUnderLease } from "./lease";

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;
const CLEANUP_LEASE_MS = 30 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 1000;
const CHECKPOINT_PASS_MS = 5 * 60 * 1000;
const CERTIFICATE_EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

export type BackgroundWork = { stop: () => Promise<void> };

export function startBackgroundWork(env: Env, logger: Logger, db: Database): BackgroundWork {
  const emailWorker = startEmailWorker({
    db,
    logger,
    transport: createTransport(env, logger),
    settings: { ...DEFAULT_DELIVERY, from: env.EMAIL_FROM, ratePerSecond: env.EMAIL_RATE_PER_SECOND },
  });

  // Outbound events: fan-out into deliveries, and delivery to the endpoints.
  const webhookWorker = startWebhookWorker({ db, logger, settings: { ...DEFAULT_WEBHOOK_DELIVERY, hosted: env.GATEHOUSE_MODE === "hosted" } });

  // Failed-login audit rows and password-reset emails, left by requests that
  // must answer in the same time for known and unknown addresses.
  const accountWorker = startDeferredAccountWorker(db, logger);
  // Notices' emails, queued in committed batches (any number of processes: each
  // batch locks its notice with SKIP LOCKED).
  const noticeFanOut = startPollingLoop({
    pass: () => fanOutNoticeBatch(db),
    batchSize: FANOUT_BATCH_SIZE,
    logger,
    failureMessage: "notice fan-out pass failed",
  });

  const cleanup = setInterval(() => {
    // A lease, not a transaction-scoped lock: the job commits batch by batch.
    // Should a run outlast it, a second process may join in; every step is
    // safe to run twice at once (deletes, and retention under each chain's lock).
    runUnderLease(db, "delete-expired-rows", CLEANUP_LEASE_MS, () => deleteExpiredRows(db, env.AUDIT_RETENTION_DAYS))
      .then((outcome) => outcome.ran && logger.info({ deleted: outcome.result }, "expired rows deleted"))
      .catch((error: Error) => logger.warn({ err: error.message }, "clean-up failed"));
  }, CLEANUP_INTERVAL_MS);
  cleanup.unref();

  // SAML IdP certificates about to expire: their admins are emailed 30, 7 and
  // 1 days before (one process at a time; each notice once, see the module).
  const certificateExpiry = setInterval(() => {
    sendCertificateExpiryNotices(db)
      .then((outcome) => outcome.ran && outcome.notices > 0 && logger.info(outcome, "SAML certificate expiry notices sent"))
      .catch((error: Error) => logger.warn({ err: error.message }, "SAML certificate expiry notices failed"));
  }, CERTIFICATE_EXPIRY_INTERVAL_MS);
  certificateExpiry.unref();

  // Accounts past their grace period. Each is claimed with a lease, so any
  // number of processes can run this together; a long purge (years of
  // history, in committed batches) is not started again by this process's
  // next tick while it runs.
  let purging = false;
  const purge = setInterval(() => {
    if (purging) return;
    purging = true;
    purgeDueAccounts(db)
      .then((purged) => purged > 0 && logger.info({ purged }, "accounts purged after their grace period"))
      .catch((error: Error) => logger.warn({ err: error.message }, "account purge failed"))
      .finally(() => (purging = false));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  // Audit chain checkpoints (at most hourly per org, only with new events):
  // each org is claimed under its chain row's lock, so any number of processes
  // can run this; a pass still running is not started again by this process.
  let checkpointing = false;
  const checkpoints = setInterval(() => {
    if (checkpointing) return;
    checkpointing = true;
    recordDueCheckpoints(db)
      .then(async ({ recorded }) => {
        if (recorded > 0) logger.info({ recorded }, "audit checkpoints recorded");
        const { resealed } = await resealStaleOrgKeys(db);
        if (resealed > 0) logger.info({ resealed }, "audit chain keys moved to the current SECRETS_KEY");
      })
      .catch((error: Error) => logger.warn({ err: error.message }, "audit checkpoints failed"))
      .finally(() => (checkpointing = false));
  }, CHECKPOINT_PASS_MS);
  checkpoints.unref();

  // Billing webhooks and the daily reconciliation: hosted mode with billing on, only.
  const billing = billingMode(env);
  const billingWork = billing.kind === "on" ? startBillingWork(billing.settings, logger, db) : undefined;

  logger.info({ transport: env.EMAIL_TRANSPORT }, "background work started");
  return {
    async stop() {
      clearInterval(cleanup);
      clearInterval(purge);
      clearInterval(checkpoints);
      clearInterval(certificateExpiry);
      await Promise.all([emailWorker.stop(), webhookWorker.stop(), accountWorker.stop(), noticeFanOut.stop(), billingWork?.stop()]);
    },
  };
}
