// Claiming and proving email domains, and the CLI that provisions a
// connection as code. DNS is the boundary faked here: the check takes any
// resolver with resolveTxt (the server builds one on SSO_DNS_SERVERS).
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestOrg } from "../../../test/factories/orgs";
import { createUser } from "../../../test/factories/users";
import { TEST_IDP_KEYS, FakeSamlIdp } from "../../../test/fakes/saml-idp";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { runSsoCommand } from "./admin-cli";
import { claimSsoDomain, connectionCoversEmail, dnsResolver, normalizeDomain, ssoConnectionForEmail, verificationRecordName, verificationRecordValue, verifySsoDomainByDns } from "./domains";

process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");
const db = connect(workerDatabaseUrl());
beforeEach(() => truncateAll(db));
afterAll(() => db.destroy());

describe("domains", () => {
  it("normalizes what people type and refuses what is not a domain", () => {
    expect(normalizeDomain(" Example.COM. ")).toBe("example.com");
    for (const bad of ["example", "ex ample.com", "-bad.com", "1.2.3.4", "a@b.com", "https://x.com"]) expect(normalizeDomain(bad)).toBeNull();
  });

  it("is verified by the TXT record holding its token, and only then routes sign-in", async () => {
    const owner = await createUser(db, { email: "owner@corp.test" });
    const org = await createTestOrg(db, { slug: "corp", owner, plan: "team" });
    const claimed = await claimSsoDomain(db, { orgId: org.id, domain: "corp.test" });
    if (!claimed.ok) throw new Error("claim failed");
    expect(await claimSsoDomain(db, { orgId: null, domain: "corp.test" })).toEqual({ ok: false, reason: "taken" });

    const asked: string[] = [];
    const records = new Map<string, string[][]>();
    const resolver = {
      resolveTxt: async (name: string) => {
        asked.push(name);
        const found = records.get(name);
        if (!found) throw Object.assign(new Error("queryTxt ENOTFOUND"), { code: "ENOTFOUND" });
        return found;
      },
    };
    expect(await verifySsoDomainByDns(db, claimed.domain, resolver)).toEqual({ ok: false, reason: "no-record" });
    records.set("_gatehouse-verification.corp.test", [["v=spf1 -all"], ["gatehouse-verification=wrong"]]);
    expect(await verifySsoDomainByDns(db, claimed.domain, resolver)).toEqual({ ok: false, reason: "no-record" });
    // A long value arrives in chunks; joined, it matches.
    const value = verificationRecordValue(claimed.domain.verificationToken);
    records.set(verificationRecordName("corp.test"), [[value.slice(0, 10), value.slice(10)]]);
    expect(await verifySsoDomainByDns(db, claimed.domain, resolver)).toEqual({ ok: true });
    expect(asked.every((name) => name === "_gatehouse-verification.corp.test")).toBe(true);
    expect(await connectionCoversEmail(db, { org_id: org.id }, "a@corp.test")).toBe(true);
    expect(await connectionCoversEmail(db, { org_id: null }, "a@corp.test")).toBe(false);
  });

  it("asks the DNS servers the operator names", () => {
    expect(dnsResolver(["127.0.0.1:5353"]).getServers()).toEqual(["127.0.0.1:5353"]);
  });
});

describe("npm run admin:sso -- create", () => {
  it("creates an instance OIDC connection with verified domains and prints its redirect URI", async () => {
    const result = await runSsoCommand(db, ["create", "--instance", "--type", "oidc", "--issuer", "https://login.corp.test", "--client-id", "gh", "--client-secret", "s3cret", "--domain", "Corp.test", "--domain", "corp.example"]);
    expect(result.exitCode).toBe(0);
    const output = result.output as { id: string; type: string; redirect_uri: string; domains: string[]; enabled: boolean };
    expect(output).toMatchObject({ type: "oidc", domains: ["corp.test", "corp.example"], enabled: false });
    expect(output.redirect_uri).toMatch(new RegExp(`/sso/oidc/${output.id}/callback$`));
    const domains = await db.selectFrom("sso_domain").select(["domain", "org_id", "verified_at", "connection_id"]).orderBy("domain").execute();
    expect(domains.map((d) => [d.domain, d.org_id, d.verified_at !== null, d.connection_id])).toEqual([
      ["corp.example", null, true, output.id],
      ["corp.test", null, true, output.id],
    ]);
    // Off until tested (or created with --enable): nothing routes yet.
    expect(await ssoConnectionForEmail(db, "a@corp.test")).toBeNull();
  });

  it("creates an org SAML connection from a metadata file, switched on with --enable", async () => {
    const owner = await createUser(db, { email: "owner@acme.test" });
    await createTestOrg(db, { slug: "acme", owner, plan: "enterprise" });
    const idp = new FakeSamlIdp(TEST_IDP_KEYS.idp);
    await idp.start();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "sso-cli-")), "idp.xml");
    writeFileSync(file, idp.metadata());
    await idp.stop();
    const result = await runSsoCommand(db, ["create", "--org", "acme", "--type", "saml", "--metadata-file", file, "--domain", "acme.test", "--enable"]);
    expect(result.exitCode).toBe(0);
    const output = result.output as { id: string; acs_url: string; sp_metadata_url: string };
    expect(output.acs_url).toMatch(new RegExp(`/sso/saml/${output.id}/acs$`));
    expect(output.sp_metadata_url).toMatch(new RegExp(`/sso/saml/${output.id}/metadata$`));
    expect((await ssoConnectionForEmail(db, "x@acme.test"))?.id).toBe(output.id);
  });

  it("says what is wrong, with exit code 2 for usage and 1 for a state problem", async () => {
    expect((await runSsoCommand(db, ["create", "--type", "oidc"])).exitCode).toBe(2);
    expect((await runSsoCommand(db, ["create", "--instance", "--type", "oidc", "--issuer", "http://login.corp.test", "--client-id", "x", "--client-secret", "y"])).exitCode).toBe(2);
    expect((await runSsoCommand(db, ["create", "--org", "nope", "--type", "oidc"])).exitCode).toBe(1);
    expect(await runSsoCommand(db, ["create", "--instance", "--type", "saml", "--metadata-file", "/no/such/file"])).toMatchObject({ exitCode: 1 });
  });
});
