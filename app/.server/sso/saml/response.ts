// The Assertion Consumer Service's check of an IdP's SAML Response. Every bad
// input ends in { ok: false, reason, message, checks } and never in a throw:
// the ACS route and the "Test connection" page show the checks as they are.
//
// Order matters. The envelope is inspected first (status, how many assertions,
// whether the assertion carries a signature), then node-saml verifies the
// signature and hands back only the signed bytes; every later check reads those
// bytes and nothing else, so XML planted outside the signature is never read.
import type { Database } from "../../db";
import type { SsoConnection } from "../connections";
import type { SsoCheck, SsoProfile } from "../profile";
import { readAssertion, type AssertionFacts } from "./assertion";
import { samlIdpSettings } from "./connection-settings";
import { profileFromAssertion } from "./profile-from-assertion";
import { serviceProvider } from "./service-provider";
import { consumeSamlRequest, isSamlRequestKnown, recordAssertion, wasAssertionSeen } from "./state";
import { safeRelayState, samlServiceProviderUrls } from "./urls";
import { attribute, childElement, childElements, countDescendants, NS, parseXml, pathElement, textOf } from "./xml";

/** Allowed difference between the IdP's clock and ours. */
export const CLOCK_SKEW_MS = 3 * 60 * 1000;
const MAX_ENCODED_BYTES = 1024 * 1024;
const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";

export type SamlFailureReason =
  | "malformed"
  | "not-configured"
  | "unsafe-relay-state"
  | "idp-refused"
  | "encrypted-assertion"
  | "signature-wrapping"
  | "unsigned-assertion"
  | "bad-signature"
  | "wrong-issuer"
  | "wrong-audience"
  | "wrong-recipient"
  | "not-yet-valid"
  | "expired"
  | "unknown-request"
  | "replayed"
  | "no-subject"
  | "no-email";

export type SamlResponseResult =
  | { ok: true; profile: SsoProfile; checks: SsoCheck[]; inResponseTo: string | null; relayState: string | null }
  | { ok: false; reason: SamlFailureReason; message: string; checks: SsoCheck[] };

export type SamlResponseInput = { samlResponse: unknown; relayState?: unknown; now?: Date };

type Failure = Extract<SamlResponseResult, { ok: false }>;
type Check = SsoCheck & { reason?: SamlFailureReason; message?: string };

const pass = (name: string, detail?: string): Check => ({ name, passed: true, ...(detail ? { detail } : {}) });
const failCheck = (name: string, reason: SamlFailureReason, message: string, detail?: string): Check => ({ name, passed: false, detail: detail ?? message, reason, message });
const publicChecks = (checks: Check[]): SsoCheck[] => checks.map(({ name, passed, detail }) => ({ name, passed, ...(detail ? { detail } : {}) }));

function refuse(checks: Check[]): Failure {
  // A replay is the most telling reason: its other failures (a request already
  // answered) follow from it.
  const failed = checks.find((check) => !check.passed && check.reason === "replayed") ?? checks.find((check) => !check.passed)!;
  return { ok: false, reason: failed.reason!, message: failed.message!, checks: publicChecks(checks) };
}

export async function validateSamlResponse(db: Database, connection: SsoConnection, input: SamlResponseInput): Promise<SamlResponseResult> {
  const now = input.now ?? new Date();
  const checks: Check[] = [];

  // RelayState first: nothing is used up by a response we would refuse anyway.
  const relayGiven = typeof input.relayState === "string" && input.relayState.trim() !== "";
  const relayState = relayGiven ? safeRelayState(input.relayState) : null;
  if (relayGiven && !relayState) {
    checks.push(failCheck("RelayState", "unsafe-relay-state", "The RelayState points outside this site; we only return people to our own pages."));
    return refuse(checks);
  }
  if (relayGiven) checks.push(pass("RelayState", `a page of ours: ${relayState}`));

  const idp = samlIdpSettings(connection);
  if (!idp.ok) return refuse([...checks, failCheck("Connection", "not-configured", idp.message)]);

  const envelope = inspectEnvelope(input.samlResponse);
  checks.push(...envelope.checks);
  if (!envelope.ok) return refuse(checks);

  // node-saml verifies the signature against the connection's certificates and
  // returns the assertion exactly as signed (never the surrounding document).
  let signedAssertionXml: string;
  try {
    const { profile } = await serviceProvider(connection, idp.settings).validatePostResponseAsync({ SAMLResponse: envelope.base64 });
    const xml = profile?.getAssertionXml?.();
    if (!xml) throw new Error("Missing SAML assertion");
    signedAssertionXml = xml;
  } catch (error) {
    checks.push(signatureFailure(error));
    return refuse(checks);
  }
  const facts = readAssertion(signedAssertionXml);
  if (!facts) return refuse([...checks, failCheck("Assertion signed", "malformed", "The signed assertion could not be read.")]);
  checks.push(pass("Assertion signed", `signed with ${idp.settings.certificates.length === 1 ? "the connection's certificate" : "one of the connection's certificates"}`));

  const urls = samlServiceProviderUrls(connection.id);
  if (idp.settings.entityId) checks.push(issuerCheck(facts, idp.settings.entityId));
  checks.push(audienceCheck(facts, urls.entityId));
  checks.push(recipientCheck(facts, envelope.destination, urls.acsUrl));
  const window = timeWindowCheck(facts, urls.acsUrl, now);
  checks.push(window.check);
  const profile = profileFromAssertion(facts);
  checks.push(profile.ok ? pass("Email", `${profile.profile.email}, from ${profile.emailSource}`) : failCheck("Email", profile.reason, profile.message));

  // The two checks that use something up run only for an otherwise good
  // answer; for a bad one they are looked at without being spent. A replayed
  // assertion spends nothing either (its request was used by the first post).
  const seenBefore = facts.id ? await wasAssertionSeen(db, connection.id, facts.id) : false;
  const inResponseTo = correlate(facts, envelope.inResponseTo);
  const spend = checks.every((check) => check.passed) && !seenBefore;
  if (inResponseTo.mismatch) {
    checks.push(failCheck("InResponseTo", "unknown-request", "The response and its assertion answer different sign-in requests."));
  } else if (inResponseTo.id) {
    const known = spend ? await consumeSamlRequest(db, connection.id, inResponseTo.id, now) : await isSamlRequestKnown(db, connection.id, inResponseTo.id, now);
    checks.push(
      known
        ? pass("InResponseTo", "answers the sign-in request we sent")
        : failCheck("InResponseTo", "unknown-request", "The response answers a sign-in request we did not send, that expired (after 10 minutes) or that was already answered."),
    );
  } else {
    checks.push(pass("InResponseTo", "IdP-initiated sign-in (no request of ours to match)"));
  }

  if (!facts.id) {
    checks.push(failCheck("Not replayed", "malformed", "The assertion has no ID, so a replay could not be detected."));
  } else if (seenBefore) {
    checks.push(replayed());
  } else if (checks.every((check) => check.passed) && window.keepUntil) {
    // Two posts of the same assertion at once: the insert decides.
    const first = await recordAssertion(db, connection.id, facts.id, window.keepUntil, now);
    checks.push(first ? pass("Not replayed", "first use of this assertion") : replayed());
  } else {
    checks.push(pass("Not replayed", "not used before (not recorded, as the answer was refused)"));
  }

  if (!checks.every((check) => check.passed) || !profile.ok) return refuse(checks);
  return { ok: true, profile: profile.profile, checks: publicChecks(checks), inResponseTo: inResponseTo.id, relayState };
}

const replayed = () => failCheck("Not replayed", "replayed", "This assertion was already used to sign in: a response cannot be posted twice.");

type Envelope =
  | { ok: true; base64: string; destination: string | null; inResponseTo: string | null; checks: Check[] }
  | { ok: false; checks: Check[] };

/** What can be told before the signature is checked, so a refusal says why in plain words. */
function inspectEnvelope(samlResponse: unknown): Envelope {
  const malformed = (message: string): Envelope => ({ ok: false, checks: [failCheck("Well-formed response", "malformed", message)] });
  if (typeof samlResponse !== "string" || !samlResponse.trim()) return malformed("No SAMLResponse was posted.");
  if (samlResponse.length > MAX_ENCODED_BYTES) return malformed("The SAMLResponse is larger than 1 MB.");
  const base64 = samlResponse.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return malformed("The SAMLResponse is not base64.");
  const parsed = parseXml(Buffer.from(base64, "base64").toString("utf8"));
  if (!parsed.ok) return malformed(`The SAMLResponse is not a SAML message: ${parsed.message}`);
  const document = parsed.document;
  const response = document.documentElement;
  if (response.namespaceURI !== NS.protocol || response.localName !== "Response") return malformed("The SAMLResponse is not a SAML 2.0 Response.");

  const checks: Check[] = [pass("Well-formed response")];
  const status = statusOf(response);
  if (status.code !== SUCCESS) {
    checks.push(failCheck("IdP status", "idp-refused", `The IdP did not sign the person in (${status.text}).`));
    return { ok: false, checks };
  }

  const assertions = countDescendants(document, NS.assertion, "Assertion");
  const encrypted = countDescendants(document, NS.assertion, "EncryptedAssertion");
  if (encrypted > 0) {
    checks.push(failCheck("Assertion signed", "encrypted-assertion", "The assertion is encrypted, which we do not support: switch off assertion encryption for this application at the IdP."));
    return { ok: false, checks };
  }
  if (assertions === 0) return { ok: false, checks: [...checks, failCheck("Assertion signed", "malformed", "The response carries no assertion.")] };
  // A second assertion anywhere (beside, inside or wrapped around the signed
  // one), or an ID used twice, is how signature-wrapping attacks work: the
  // signature covers one element while a naive reader reads another.
  const direct = childElements(response, NS.assertion, "Assertion");
  const wrapping = assertions > 1 || direct.length !== 1 || hasDuplicateIds(document);
  if (wrapping) {
    checks.push(
      failCheck(
        "Single signed assertion",
        "signature-wrapping",
        "The response is built like a signature-wrapping attack (more than one assertion, an assertion out of place, or an ID used twice), so it was refused.",
      ),
    );
    return { ok: false, checks };
  }
  checks.push(pass("Single signed assertion", "exactly one assertion, in its place"));
  if (childElements(direct[0]!, NS.dsig, "Signature").length === 0) {
    checks.push(
      failCheck(
        "Assertion signed",
        "unsigned-assertion",
        response.getElementsByTagNameNS(NS.dsig, "Signature").length > 0
          ? "Only the response is signed, not the assertion: set the IdP to sign the assertion (or both)."
          : "The assertion is not signed: set the IdP to sign the assertion.",
      ),
    );
    return { ok: false, checks };
  }
  return { ok: true, base64, destination: attribute(response, "Destination"), inResponseTo: attribute(response, "InResponseTo"), checks };
}

function statusOf(response: Element): { code: string | null; text: string } {
  const top = pathElement(response, NS.protocol, ["Status", "StatusCode"]);
  const code = attribute(top, "Value");
  const nested = attribute(top ? childElement(top, NS.protocol, "StatusCode") : null, "Value");
  const message = textOf(pathElement(response, NS.protocol, ["Status", "StatusMessage"]));
  const short = (value: string | null) => value?.split(":").pop() ?? "no status";
  return { code, text: [short(code), nested ? short(nested) : null, message].filter(Boolean).join(": ") };
}

// Signature libraries resolve a reference by any of these attribute names, so
// a decoy carrying the signed element's id under another spelling counts too.
const ID_ATTRIBUTES = ["ID", "Id", "id"];

function hasDuplicateIds(document: Document): boolean {
  const seen = new Set<string>();
  const all = document.getElementsByTagName("*");
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i);
    for (const name of ID_ATTRIBUTES) {
      const id = element?.getAttribute(name);
      if (!id) continue;
      if (seen.has(id)) return true;
      seen.add(id);
    }
  }
  return false;
}

/** node-saml's refusal, in the words an admin can act on. */
function signatureFailure(error: unknown): Check {
  const message = error instanceof Error ? error.message : String(error);
  if (/multiple assertions|more than one element|Referenced node|Too many signatures|too many transforms|Only 1 signed reference|ref URI/i.test(message)) {
    return failCheck("Assertion signed", "signature-wrapping", "The assertion's signature does not cover the assertion that was sent (a signature-wrapping attempt), so it was refused.", message);
  }
  if (/Invalid signature|signature/i.test(message)) {
    return failCheck(
      "Assertion signed",
      "bad-signature",
      "The assertion's signature does not match the connection's certificate: the IdP signed it with another key (update the certificate) or it was altered.",
    );
  }
  return failCheck("Assertion signed", "malformed", `The response could not be verified: ${message}`);
}

function issuerCheck(facts: AssertionFacts, expected: string): Check {
  return facts.issuer === expected
    ? pass("Issuer", expected)
    : failCheck("Issuer", "wrong-issuer", `The assertion was issued by “${facts.issuer ?? "nobody"}”, not by this connection's IdP (“${expected}”).`);
}

function audienceCheck(facts: AssertionFacts, entityId: string): Check {
  if (facts.audiences.includes(entityId)) return pass("Audience", entityId);
  return failCheck(
    "Audience",
    "wrong-audience",
    facts.audiences.length === 0
      ? `The assertion names no audience; the IdP must restrict it to our entity id ${entityId}.`
      : `The assertion is meant for “${facts.audiences.join("”, “")}”, not for us (${entityId}): set the audience (SP entity id) at the IdP.`,
  );
}

function recipientCheck(facts: AssertionFacts, destination: string | null, acsUrl: string): Check {
  if (destination !== null && destination !== acsUrl) {
    return failCheck("Recipient", "wrong-recipient", `The response was sent to “${destination}”, not to our ACS URL ${acsUrl}.`);
  }
  if (facts.bearerConfirmations.length === 0) return failCheck("Recipient", "wrong-recipient", "The assertion has no bearer SubjectConfirmation naming its recipient.");
  if (!facts.bearerConfirmations.some((confirmation) => confirmation.recipient === acsUrl)) {
    const named = facts.bearerConfirmations.map((confirmation) => confirmation.recipient ?? "none").join(", ");
    return failCheck("Recipient", "wrong-recipient", `The assertion's recipient is “${named}”, not our ACS URL ${acsUrl}: set the ACS URL at the IdP.`);
  }
  return pass("Recipient", acsUrl);
}

function timeWindowCheck(facts: AssertionFacts, acsUrl: string, now: Date): { check: Check; keepUntil: Date | null } {
  // The confirmation addressed to us is the one whose window counts.
  const confirmation = facts.bearerConfirmations.find((candidate) => candidate.recipient === acsUrl) ?? facts.bearerConfirmations[0];
  const notBefore = [facts.notBefore, confirmation?.notBefore].filter((value): value is string => !!value).map(parseInstant);
  const notOnOrAfter = [facts.notOnOrAfter, confirmation?.notOnOrAfter].filter((value): value is string => !!value).map(parseInstant);
  const fail = (reason: SamlFailureReason, message: string) => ({ check: failCheck("Time window", reason, message), keepUntil: null });
  if ([...notBefore, ...notOnOrAfter].some((date) => date === null)) return fail("malformed", "The assertion's validity times are not valid dates.");
  if (notOnOrAfter.length === 0) return fail("expired", "The assertion has no NotOnOrAfter, so it would never expire; the IdP must set one.");
  const start = notBefore.length ? new Date(Math.max(...notBefore.map((date) => date!.getTime()))) : null;
  const end = new Date(Math.min(...notOnOrAfter.map((date) => date!.getTime())));
  const span = `valid ${start ? `from ${start.toISOString()} ` : ""}until ${end.toISOString()}; now ${now.toISOString()}`;
  if (start && now.getTime() + CLOCK_SKEW_MS < start.getTime()) {
    return fail("not-yet-valid", `The assertion is not valid yet (${span}): check the IdP's clock.`);
  }
  if (now.getTime() - CLOCK_SKEW_MS >= end.getTime()) return fail("expired", `The assertion has expired (${span}).`);
  // Kept for replay detection until no clock within the skew would accept it.
  const latest = new Date(Math.max(...notOnOrAfter.map((date) => date!.getTime())) + CLOCK_SKEW_MS);
  return { check: pass("Time window", span), keepUntil: latest };
}

function parseInstant(value: string): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The request this answers: from the signed assertion, matched with the (unsigned) Response's. */
function correlate(facts: AssertionFacts, responseInResponseTo: string | null): { id: string | null; mismatch: boolean } {
  // Every bearer confirmation that names a request must name the same one.
  const named = [...new Set(facts.bearerConfirmations.map((confirmation) => confirmation.inResponseTo).filter((value): value is string => value !== null))];
  if (named.length > 1) return { id: null, mismatch: true };
  const signed = named[0] ?? null;
  if (signed && responseInResponseTo && signed !== responseInResponseTo) return { id: null, mismatch: true };
  return { id: signed ?? responseInResponseTo, mismatch: false };
}
