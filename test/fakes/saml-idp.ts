// A real SAML 2.0 identity provider for tests, built with samlify's IdP side
// and served on 127.0.0.1: it publishes its metadata, answers an SP's
// HTTP-Redirect AuthnRequest with an auto-posting form (the SAMLResponse and
// RelayState for the SP's ACS) at /sso, starts IdP-initiated sign-in at
// /start, and signs responses for tests in process (answer()). Tests can ask
// for answers an honest IdP would not give (wrong audience, expired, unsigned,
// signed by another key…) to see them refused.
//
// Its keys (test/fakes/saml/*.pem) are made for these tests only.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as samlify from "samlify";

const here = path.dirname(fileURLToPath(import.meta.url));
const pem = (name: string) => readFileSync(path.join(here, "saml", name), "utf8");
export const TEST_IDP_KEYS = {
  idp: { key: pem("idp.key.pem"), cert: pem("idp.cert.pem") },
  other: { key: pem("other-idp.key.pem"), cert: pem("other-idp.cert.pem") },
};

// The fake parses our AuthnRequests; schema validation is the IdP's business,
// not what these tests are about.
samlify.setSchemaValidator({ validate: async () => "skipped" });

export const NAMEID = {
  email: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
};
export const AUTHN_CONTEXT = {
  password: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
  refedsMfa: "https://refeds.org/profile/mfa",
  multiFactor: "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",
};

export type SamlPerson = {
  nameId: string;
  /** Raw XML for the NameID's content instead of the escaped nameId (e.g. with a comment in it). */
  nameIdXml?: string;
  nameIdFormat?: string;
  attributes?: Record<string, string | string[]>;
  authnContextClassRef?: string;
};

/** Everything an answer says; tests override a field to build a bad one. */
export type AnswerOptions = {
  /** The SP's metadata XML (where the ACS and audience come from). */
  spMetadata: string;
  person: SamlPerson;
  /** The AuthnRequest id answered; null for IdP-initiated. */
  inResponseTo?: string | null;
  /** When the IdP issues it (validity starts then and lasts 5 minutes). */
  now?: Date;
  audience?: string;
  recipient?: string;
  destination?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  assertionId?: string;
  statusCode?: string;
  /** What gets signed: the assertion (default), the response only, both, or nothing. */
  sign?: "assertion" | "response" | "both" | "none";
  /** Sign with this key instead of the IdP's own (what a forger would do). */
  signingKey?: { key: string; cert: string };
};

const xmlEscape = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
// samlify reads a lone AssertionConsumerService as an object, not a list, and
// then finds no URL; the fake reads it itself.
function acsOf(spMetadata: string): string {
  const element = /<(?:\w+:)?AssertionConsumerService\b[^>]*>/.exec(spMetadata)?.[0] ?? "";
  const location = /Location="([^"]*)"/.exec(element)?.[1];
  if (!location) throw new Error("the SP metadata has no AssertionConsumerService Location");
  return location.replace(/&amp;/g, "&");
}

let counter = 0;
const newId = () => `_fake${Date.now().toString(16)}${(counter++).toString(16)}${Math.random().toString(16).slice(2, 10)}`;

function responseXml(idpEntityId: string, acsUrl: string, audienceDefault: string, options: AnswerOptions): string {
  const now = options.now ?? new Date();
  const notOnOrAfter = (options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60 * 1000)).toISOString();
  const notBefore = (options.notBefore ?? now).toISOString();
  const inResponseTo = options.inResponseTo ? ` InResponseTo="${xmlEscape(options.inResponseTo)}"` : "";
  const issuer = xmlEscape(options.issuer ?? idpEntityId);
  const person = options.person;
  const attributes = Object.entries(person.attributes ?? {})
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(value) ? value : [value])
          .map((entry) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(entry)}</saml:AttributeValue>`)
          .join("")}</saml:Attribute>`,
    )
    .join("");
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${xmlEscape(options.destination ?? acsUrl)}"${inResponseTo}>` +
    `<saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${options.statusCode ?? "urn:oasis:names:tc:SAML:2.0:status:Success"}"/></samlp:Status>` +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${options.assertionId ?? newId()}" Version="2.0" IssueInstant="${now.toISOString()}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${person.nameIdFormat ?? NAMEID.email}">${person.nameIdXml ?? xmlEscape(person.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${xmlEscape(options.recipient ?? acsUrl)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(options.audience ?? audienceDefault)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>${person.authnContextClassRef ?? AUTHN_CONTEXT.password}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "") +
    `</saml:Assertion></samlp:Response>`
  );
}

export class FakeSamlIdp {
  private server?: Server;
  private port = 0;
  private trustedSpMetadata: string | null = null;
  /** Who signs in at the next AuthnRequest (null: the IdP answers "AuthnFailed"). */
  signedInPerson: SamlPerson | null = { nameId: "ada@example.com" };
  /** Overrides for answers to AuthnRequests (e.g. a fixed clock). */
  answerOverrides: Partial<AnswerOptions> = {};
  readonly requests: Array<{ id: string; relayState: string | null }> = [];

  constructor(private readonly keys = TEST_IDP_KEYS.idp) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req.url ?? "/")
        .then(({ status, type, body }) => res.writeHead(status, { "Content-Type": type }).end(body))
        .catch((error: Error) => res.writeHead(500, { "Content-Type": "text/plain" }).end(error.message));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get entityId(): string {
    return `${this.url}/metadata`;
  }
  get ssoUrl(): string {
    return `${this.url}/sso`;
  }
  get certificate(): string {
    return this.keys.cert;
  }

  /** The SP whose AuthnRequests this IdP answers (by its metadata XML). */
  trust(spMetadata: string): this {
    this.trustedSpMetadata = spMetadata;
    return this;
  }

  private idp(signingKey = this.keys) {
    return samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: signingKey.key,
      signingCert: signingKey.cert,
      nameIDFormat: [NAMEID.email, NAMEID.persistent],
      singleSignOnService: [
        { Binding: samlify.Constants.namespace.binding.redirect, Location: this.ssoUrl },
        { Binding: samlify.Constants.namespace.binding.post, Location: this.ssoUrl },
      ],
      requestSignatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    });
  }

  /** The IdP metadata XML an admin would download from it. */
  metadata(): string {
    return this.idp().getMetadata();
  }

  /** A base64 SAMLResponse, built and signed by samlify as asked. */
  async answer(options: AnswerOptions): Promise<string> {
    const signing = options.sign ?? "assertion";
    // samlify signs what the SP's metadata asks for: the assertion when it says
    // WantAssertionsSigned, the message when told to (or when assertions are not wanted signed).
    const spMetadata = signing === "response" ? options.spMetadata.replace(/\s*WantAssertionsSigned="true"/, "") : options.spMetadata;
    const sp = samlify.ServiceProvider({ metadata: spMetadata, wantMessageSigned: signing === "both" || signing === "response" });
    const acsUrl = acsOf(options.spMetadata);
    const xml = responseXml(this.entityId, acsUrl, sp.entityMeta.getEntityID(), options);
    if (signing === "none") return Buffer.from(xml).toString("base64");
    const { context } = await this.idp(options.signingKey).createLoginResponse(sp, { extract: { request: { id: options.inResponseTo ?? "" } } } as never, "post", {}, {
      customTagReplacement: () => ({ id: "", context: xml }),
    });
    return context;
  }

  private async handle(url: string): Promise<{ status: number; type: string; body: string }> {
    const { pathname, searchParams } = new URL(url, this.url);
    if (pathname === "/metadata") return { status: 200, type: "application/samlmetadata+xml", body: this.metadata() };
    // /sso answers an AuthnRequest; /start is IdP-initiated sign-in (the app
    // tile on the IdP's dashboard), with an optional ?RelayState=.
    if (pathname !== "/sso" && pathname !== "/start") return { status: 404, type: "text/plain", body: "not found" };
    if (!this.trustedSpMetadata) return { status: 400, type: "text/plain", body: "no SP trusted" };
    let requestId: string | null = null;
    if (pathname === "/sso") {
      const sp = samlify.ServiceProvider({ metadata: this.trustedSpMetadata });
      const { extract } = await this.idp().parseLoginRequest(sp, "redirect", { query: Object.fromEntries(searchParams), octetString: "" } as never);
      requestId = (extract as { request: { id: string } }).request.id;
    }
    const relayState = searchParams.get("RelayState");
    if (requestId) this.requests.push({ id: requestId, relayState });
    const person = this.signedInPerson;
    const samlResponse = await this.answer({
      spMetadata: this.trustedSpMetadata,
      person: person ?? { nameId: "nobody@example.com" },
      inResponseTo: requestId,
      ...(person ? {} : { statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder", sign: "none" as const }),
      ...this.answerOverrides,
    });
    const acsUrl = acsOf(this.trustedSpMetadata);
    const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${xmlEscape(value)}">`;
    const body =
      `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${xmlEscape(acsUrl)}">` +
      field("SAMLResponse", samlResponse) +
      (relayState ? field("RelayState", relayState) : "") +
      `<button type="submit">Continue</button></form></body></html>`;
    return { status: 200, type: "text/html; charset=utf-8", body };
  }
}

/** The hidden fields of the IdP's auto-posting form. */
export function postedForm(html: string): { action: string; SAMLResponse: string; RelayState: string | null } {
  const unescape = (value: string) => value.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  const response = /name="SAMLResponse" value="([^"]*)"/.exec(html)?.[1];
  const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
  if (!action || !response) throw new Error(`not an auto-posting SAML form: ${html.slice(0, 200)}`);
  return { action: unescape(action), SAMLResponse: unescape(response), RelayState: relay ? unescape(relay) : null };
}
