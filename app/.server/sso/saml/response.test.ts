// The SAML service provider against a real IdP (samlify, on 127.0.0.1): a
// good answer passes every check; each bad one is refused with its reason and
// its failing check, never with a throw.
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AUTHN_CONTEXT, FakeSamlIdp, NAMEID, postedForm, TEST_IDP_KEYS, type AnswerOptions } from "../../../../test/fakes/saml-idp";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import type { SsoConnection } from "../connections";
import { findSsoConnection } from "../connections";
import { CLOCK_SKEW_MS, samlServiceProviderMetadata, samlServiceProviderUrls, startSamlSignIn, validateSamlResponse, type SamlResponseResult } from "./index";

const db = connect(workerDatabaseUrl());
const idp = new FakeSamlIdp();
const NOW = new Date("2026-12-02T10:00:00Z");
const ADA = { nameId: "ada@example.com", attributes: { displayName: "Ada Lovelace" } };
let connection: SsoConnection;
let spMetadata: string;

beforeAll(async () => {
  await idp.start();
});
afterAll(async () => {
  await idp.stop();
  await db.destroy();
});
beforeEach(async () => {
  await truncateAll(db);
  const row = await db
    .insertInto("sso_connection")
    .values({ kind: "saml", name: "Test IdP", saml_idp_entity_id: idp.entityId, saml_idp_sso_url: idp.ssoUrl, saml_idp_certificate: idp.certificate })
    .returning("id")
    .executeTakeFirstOrThrow();
  connection = (await findSsoConnection(db, row.id))!;
  spMetadata = samlServiceProviderMetadata(connection);
  idp.trust(spMetadata);
  idp.answerOverrides = { now: NOW };
  idp.signedInPerson = ADA;
});

const answer = (options: Partial<AnswerOptions> = {}) => idp.answer({ spMetadata, person: ADA, now: NOW, ...options });
const validate = async (samlResponse: string, extra: { relayState?: string; now?: Date } = {}) =>
  validateSamlResponse(db, connection, { samlResponse, now: NOW, ...extra });

function expectRefused(result: SamlResponseResult, reason: string, check: string) {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(20);
  const failed = result.checks.filter((c) => !c.passed);
  expect(failed.map((c) => c.name)).toContain(check);
}

/** SP-initiated sign-in through the IdP's HTTP endpoint: our redirect, its auto-posting form. */
async function signInThroughIdp(relayState?: string) {
  const started = await startSamlSignIn(db, connection, { relayState, now: NOW });
  if (!started.ok) throw new Error(started.message);
  const page = await fetch(started.redirectUrl);
  expect(page.status).toBe(200);
  return { started, form: postedForm(await page.text()) };
}

describe("SP-initiated sign-in", () => {
  it("sends an AuthnRequest the IdP accepts, and takes its signed answer with every check passed", async () => {
    const { started, form } = await signInThroughIdp("/orgs/acme?tab=members");
    const urls = samlServiceProviderUrls(connection.id);
    expect(started.redirectUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    expect(idp.requests.at(-1)).toEqual({ id: started.requestId, relayState: "/orgs/acme?tab=members" });
    expect(form.action).toBe(urls.acsUrl);

    const result = await validate(form.SAMLResponse, { relayState: form.RelayState ?? undefined });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.profile).toMatchObject({ subject: "ada@example.com", email: "ada@example.com", name: "Ada Lovelace", mfaAsserted: false, emailVerifiedByIdp: true });
    expect(result.inResponseTo).toBe(started.requestId);
    expect(result.relayState).toBe("/orgs/acme?tab=members");
    expect(result.checks.every((c) => c.passed)).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      "RelayState",
      "Well-formed response",
      "Single signed assertion",
      "Assertion signed",
      "Issuer",
      "Audience",
      "Recipient",
      "Time window",
      "Email",
      "InResponseTo",
      "Not replayed",
    ]);
  });

  it("asks for our ACS with the HTTP-POST binding, as our entity id, and keeps the query of the IdP's SSO URL", async () => {
    const withQuery = { ...connection, saml_idp_sso_url: `${idp.ssoUrl}?idpid=C01abc` };
    const started = await startSamlSignIn(db, withQuery, { relayState: "/home", now: NOW });
    if (!started.ok) throw new Error(started.message);
    const url = new URL(started.redirectUrl);
    expect(url.searchParams.get("idpid")).toBe("C01abc");
    expect(url.searchParams.get("RelayState")).toBe("/home");
    const request = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    const urls = samlServiceProviderUrls(connection.id);
    expect(request).toContain(`ID="${started.requestId}"`);
    expect(request).toContain(`AssertionConsumerServiceURL="${urls.acsUrl}"`);
    expect(request).toContain('ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"');
    expect(request).toContain(`>${urls.entityId}</saml:Issuer>`);
    // No NameID format or authentication context asked for: the IdP says what it did.
    expect(request).not.toContain("RequestedAuthnContext");
    expect(request).not.toMatch(/NameIDPolicy[^>]*Format=/);
  });

  it("refuses an answer to a request we never sent, and one whose request expired", async () => {
    expectRefused(await validate(await answer({ inResponseTo: "_never-sent" })), "unknown-request", "InResponseTo");

    const started = await startSamlSignIn(db, connection, { now: NOW });
    if (!started.ok) throw new Error(started.message);
    const later = new Date(NOW.getTime() + 11 * 60 * 1000);
    const late = await answer({ inResponseTo: started.requestId, now: later });
    expectRefused(await validate(late, { now: later }), "unknown-request", "InResponseTo");
  });

  it("refuses a response whose (unsigned) InResponseTo was changed to another request", async () => {
    const [first, second] = [await startSamlSignIn(db, connection, { now: NOW }), await startSamlSignIn(db, connection, { now: NOW })];
    if (!first.ok || !second.ok) throw new Error("sign-in did not start");
    const xml = Buffer.from(await answer({ inResponseTo: first.requestId }), "base64").toString("utf8");
    const retargeted = xml.replace(`InResponseTo="${first.requestId}"`, `InResponseTo="${second.requestId}"`);
    expectRefused(await validate(Buffer.from(retargeted).toString("base64")), "unknown-request", "InResponseTo");
  });

  it("uses a request up: a second answer to it is refused", async () => {
    const started = await startSamlSignIn(db, connection, { now: NOW });
    if (!started.ok) throw new Error(started.message);
    expect((await validate(await answer({ inResponseTo: started.requestId }))).ok).toBe(true);
    expectRefused(await validate(await answer({ inResponseTo: started.requestId })), "unknown-request", "InResponseTo");
  });

  it("drops an unsafe RelayState instead of sending it to the IdP", async () => {
    const started = await startSamlSignIn(db, connection, { relayState: "https://evil.example/phish", now: NOW });
    expect(started.ok && started.relayState).toBe(null);
    expect(started.ok && new URL(started.redirectUrl).searchParams.has("RelayState")).toBe(false);
  });

  it("works from the IdP's metadata XML alone, and from a certificate roll-over (old and new PEM)", async () => {
    const fromMetadata = { ...connection, saml_idp_entity_id: null, saml_idp_sso_url: null, saml_idp_certificate: null, saml_idp_metadata_xml: idp.metadata() };
    const started = await startSamlSignIn(db, fromMetadata, { now: NOW });
    expect(started.ok && started.redirectUrl.startsWith(`${idp.ssoUrl}?`)).toBe(true);
    const result = await validateSamlResponse(db, fromMetadata, { samlResponse: await answer(), now: NOW });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.checks.find((c) => c.name === "Issuer")).toEqual({ name: "Issuer", passed: true, detail: idp.entityId });

    const rolling = { ...connection, saml_idp_certificate: `${TEST_IDP_KEYS.other.cert}\n${TEST_IDP_KEYS.idp.cert}` };
    expect((await validateSamlResponse(db, rolling, { samlResponse: await answer(), now: NOW })).ok).toBe(true);
    expect((await validateSamlResponse(db, rolling, { samlResponse: await answer({ signingKey: TEST_IDP_KEYS.other }), now: NOW })).ok).toBe(true);
  });

  it("reports a connection that is not set up instead of throwing", async () => {
    const incomplete = { ...connection, saml_idp_sso_url: null, saml_idp_metadata_xml: null };
    const started = await startSamlSignIn(db, incomplete, {});
    expect(started).toEqual({ ok: false, message: expect.stringContaining("SSO URL") });
    const result = await validate(await answer(), {});
    expect(result.ok).toBe(true);
    expectRefused(await validateSamlResponse(db, incomplete, { samlResponse: await answer({ assertionId: "_other" }), now: NOW }), "not-configured", "Connection");
  });
});

describe("IdP-initiated sign-in", () => {
  it("is accepted without InResponseTo, and reads MFA and the email attribute", async () => {
    const result = await validate(
      await answer({
        person: { nameId: "a1b2c3", nameIdFormat: NAMEID.persistent, attributes: { mail: "Grace@Example.com", givenName: "Grace", sn: "Hopper" }, authnContextClassRef: AUTHN_CONTEXT.refedsMfa },
      }),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.inResponseTo).toBe(null);
    expect(result.profile).toMatchObject({ subject: "a1b2c3", email: "grace@example.com", name: "Grace Hopper", mfaAsserted: true });
    expect(result.checks.find((c) => c.name === "InResponseTo")?.detail).toMatch(/IdP-initiated/);
  });

  it("works from the IdP's dashboard (its /start page) with a RelayState of ours", async () => {
    const page = await fetch(`${idp.url}/start?RelayState=${encodeURIComponent("/orgs/acme")}`);
    const form = postedForm(await page.text());
    const result = await validate(form.SAMLResponse, { relayState: form.RelayState ?? undefined });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.ok && [result.inResponseTo, result.relayState]).toEqual([null, "/orgs/acme"]);
  });

  it("accepts a response signed as a whole as well as in its assertion", async () => {
    expect((await validate(await answer({ sign: "both" }))).ok).toBe(true);
  });

  it("reads MultiFactor as MFA", async () => {
    const result = await validate(await answer({ person: { ...ADA, authnContextClassRef: AUTHN_CONTEXT.multiFactor } }));
    expect(result.ok && result.profile.mfaAsserted).toBe(true);
  });
});

describe("refused answers", () => {
  it("an unsigned assertion", async () => {
    expectRefused(await validate(await answer({ sign: "none" })), "unsigned-assertion", "Assertion signed");
  });

  it("a signed response around an unsigned assertion", async () => {
    const result = await validate(await answer({ sign: "response" }));
    expectRefused(result, "unsigned-assertion", "Assertion signed");
    expect(!result.ok && result.message).toMatch(/Only the response is signed/);
  });

  it("an assertion signed with another key", async () => {
    expectRefused(await validate(await answer({ signingKey: TEST_IDP_KEYS.other })), "bad-signature", "Assertion signed");
  });

  it("a signed assertion altered after signing", async () => {
    const xml = Buffer.from(await answer(), "base64").toString("utf8").replace("ada@example.com", "mallory@example.com");
    expectRefused(await validate(Buffer.from(xml).toString("base64")), "bad-signature", "Assertion signed");
  });

  it("a replayed assertion", async () => {
    const response = await answer();
    expect((await validate(response)).ok).toBe(true);
    expectRefused(await validate(response, { now: new Date(NOW.getTime() + 60_000) }), "replayed", "Not replayed");
  });

  it("a replayed answer to an SP-initiated sign-in, named as a replay", async () => {
    const { form } = await signInThroughIdp();
    expect((await validate(form.SAMLResponse)).ok).toBe(true);
    expectRefused(await validate(form.SAMLResponse), "replayed", "Not replayed");
  });

  it("the same assertion posted twice at once: one sign-in", async () => {
    const response = await answer();
    const results = await Promise.all([validate(response), validate(response), validate(response)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) expectRefused(result, "replayed", "Not replayed");
  });

  it("a wrong audience", async () => {
    expectRefused(await validate(await answer({ audience: "https://other-app.example/metadata" })), "wrong-audience", "Audience");
  });

  it("a wrong recipient, in the assertion or on the response", async () => {
    expectRefused(await validate(await answer({ recipient: "https://other-app.example/acs" })), "wrong-recipient", "Recipient");
    expectRefused(await validate(await answer({ destination: "https://other-app.example/acs" })), "wrong-recipient", "Recipient");
  });

  it("an expired NotOnOrAfter, and one not valid yet (with the clock skew allowed)", async () => {
    const response = await answer();
    const justAfter = new Date(NOW.getTime() + 5 * 60_000 + CLOCK_SKEW_MS);
    expectRefused(await validate(response, { now: justAfter }), "expired", "Time window");
    expect((await validate(response, { now: new Date(justAfter.getTime() - 1000) })).ok).toBe(true);

    const early = await answer({ notBefore: new Date(NOW.getTime() + CLOCK_SKEW_MS + 60_000) });
    expectRefused(await validate(early), "not-yet-valid", "Time window");
  });

  it("another IdP's issuer", async () => {
    expectRefused(await validate(await answer({ issuer: "https://other-idp.example" })), "wrong-issuer", "Issuer");
  });

  it("an IdP error status, with the IdP's words", async () => {
    const result = await validate(await answer({ statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder", sign: "none" }));
    expectRefused(result, "idp-refused", "IdP status");
    expect(!result.ok && result.message).toMatch(/Responder/);
  });

  it("an assertion without an email", async () => {
    expectRefused(await validate(await answer({ person: { nameId: "x-123", nameIdFormat: NAMEID.persistent } })), "no-email", "Email");
  });

  it("a RelayState to another site, before anything is used up", async () => {
    const started = await startSamlSignIn(db, connection, { now: NOW });
    if (!started.ok) throw new Error(started.message);
    const response = await answer({ inResponseTo: started.requestId });
    for (const relayState of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]) {
      expectRefused(await validate(response, { relayState }), "unsafe-relay-state", "RelayState");
    }
    // Neither the request nor the assertion was spent by the refusals.
    expect((await validate(response, { relayState: "/home" })).ok).toBe(true);
  });

  it("garbage, not base64, not XML, not a Response", async () => {
    for (const samlResponse of ["", "%%%not base64%%%", Buffer.from("hello").toString("base64"), Buffer.from("<foo/>").toString("base64"), Buffer.from("<a><b></a>").toString("base64")]) {
      expectRefused(await validate(samlResponse), "malformed", "Well-formed response");
    }
    expectRefused(await validateSamlResponse(db, connection, { samlResponse: 42, now: NOW }), "malformed", "Well-formed response");
    const doctype = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`;
    expectRefused(await validate(Buffer.from(doctype).toString("base64")), "malformed", "Well-formed response");
  });
});

describe("XML signature wrapping", () => {
  const decode = async (options: Partial<AnswerOptions> = {}) => Buffer.from(await answer(options), "base64").toString("utf8");
  const encode = (xml: string) => Buffer.from(xml).toString("base64");
  const signedAssertion = (xml: string) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
  const forged = (assertion: string, id: string) =>
    assertion
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace(/ ID="[^"]*"/, ` ID="${id}"`)
      .replace("ada@example.com", "mallory@example.com");

  it("refuses an unsigned assertion injected beside the signed one", async () => {
    const xml = await decode();
    const genuine = signedAssertion(xml);
    const before = xml.replace(genuine, forged(genuine, "_evil") + genuine);
    const after = xml.replace(genuine, genuine + forged(genuine, "_evil"));
    expectRefused(await validate(encode(before)), "signature-wrapping", "Single signed assertion");
    expectRefused(await validate(encode(after)), "signature-wrapping", "Single signed assertion");
  });

  it("refuses the signed assertion moved away and a forged one put in its place", async () => {
    const xml = await decode();
    const genuine = signedAssertion(xml);
    const moved = xml.replace(genuine, `<samlp:Extensions>${genuine}</samlp:Extensions>${forged(genuine, "_evil")}`);
    expectRefused(await validate(encode(moved)), "signature-wrapping", "Single signed assertion");
    const nested = xml.replace(genuine, forged(genuine, "_evil").replace("</saml:Assertion>", `<saml:Advice>${genuine}</saml:Advice></saml:Assertion>`));
    expectRefused(await validate(encode(nested)), "signature-wrapping", "Single signed assertion");
  });

  it("refuses a forged assertion that reuses the signed one's ID", async () => {
    const xml = await decode();
    const genuine = signedAssertion(xml);
    const id = / ID="([^"]*)"/.exec(genuine)![1]!;
    const sameId = xml.replace(genuine, `<samlp:Extensions>${genuine}</samlp:Extensions>`).replace("<samlp:Status>", `${forged(genuine, id)}<samlp:Status>`);
    expectRefused(await validate(encode(sameId)), "signature-wrapping", "Single signed assertion");
  });

  it("refuses a decoy that carries the signed assertion's id under another spelling (Id)", async () => {
    const xml = await decode();
    const genuine = signedAssertion(xml);
    const id = / ID="([^"]*)"/.exec(genuine)![1]!;
    const decoy = xml.replace("<samlp:Status>", `<samlp:Extensions><Decoy xmlns="urn:example" Id="${id}"/></samlp:Extensions><samlp:Status>`);
    expectRefused(await validate(encode(decoy)), "signature-wrapping", "Single signed assertion");
  });

  it("reads a NameID with a comment in it whole, as signed (no truncation at the comment)", async () => {
    const result = await validate(await answer({ person: { nameId: "", nameIdXml: "ada@example.com<!---->.evil.test" } }));
    expect(result.ok && result.profile.email).toBe("ada@example.com.evil.test");
  });

  it("refuses a forged assertion that carries the genuine signature", async () => {
    const xml = await decode();
    const genuine = signedAssertion(xml);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(genuine)![0];
    const evil = forged(genuine, "_evil").replace("</saml:Issuer>", `</saml:Issuer>${signature}`);
    expectRefused(await validate(encode(xml.replace(genuine, evil))), "signature-wrapping", "Assertion signed");
  });
});
