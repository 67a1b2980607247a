// Identity providers for the SSO tests, on 127.0.0.1, spoken to over real HTTP.
//
// OidcIdp: a real oidc-provider instance (the maintained implementation
// Gatehouse itself is built on). Its sign-in needs no clicks: whoever the test
// named with `signInAs` is signed in, with the amr the test chose, and consent
// is granted by an existing grant — so a test drives it with plain redirects.
//
// RogueIdp: an IdP that misbehaves on purpose, hand-written at the HTTP
// boundary: its ID tokens carry a wrong nonce, audience or issuer, signed with
// its own published key, so only the claim checks can catch them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import Provider, { type ClientMetadata } from "oidc-provider";

export type IdpAccount = { sub: string; email: string; email_verified?: boolean; name?: string };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

export class OidcIdp {
  private server: Server | null = null;
  private readonly accounts = new Map<string, IdpAccount>();
  private next: { sub: string; amr: string[] } | null = null;
  issuer = "";

  /** Listens first: the clients' redirect URIs may need the issuer (the connections are made with it). */
  async start(clientsFor: (issuer: string) => Promise<ClientMetadata[]>): Promise<string> {
    this.server = createServer();
    const port = await listen(this.server);
    this.issuer = `http://127.0.0.1:${port}`;
    const clients = await clientsFor(this.issuer);
    const provider = new Provider(this.issuer, {
      clients,
      claims: { openid: ["sub", "amr"], email: ["email", "email_verified"], profile: ["name"] },
      features: { devInteractions: { enabled: false } },
      // The claims in the ID token itself, as Okta and Entra ID send them (the default leaves them to UserInfo).
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      findAccount: (_ctx, sub) => {
        const account = this.accounts.get(sub);
        return account ? { accountId: sub, claims: () => ({ ...account }) } : undefined;
      },
      // The test's person has already agreed to share what is asked.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope("openid email profile");
        await grant.save();
        return grant;
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    });
    provider.proxy = false;
    const callback = provider.callback();
    this.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith("/interaction/")) {
        void this.signIn(provider, req, res);
        return;
      }
      callback(req, res);
    });
    return this.issuer;
  }

  addAccount(account: IdpAccount) {
    this.accounts.set(account.sub, account);
  }

  /** Who the next sign-in at this IdP is, and the methods it reports (amr). */
  signInAs(sub: string, amr: string[] = ["pwd"]) {
    this.next = { sub, amr };
  }

  private async signIn(provider: Provider, req: IncomingMessage, res: ServerResponse) {
    try {
      await provider.interactionDetails(req, res);
      if (!this.next) throw new Error("signInAs() was not called");
      await provider.interactionFinished(req, res, { login: { accountId: this.next.sub, amr: this.next.amr } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export type Misbehaviour = "nonce" | "aud" | "iss";

/**
 * One issuer per misbehaviour: http://127.0.0.1:port/<misbehaviour>. Its
 * authorize endpoint answers at once with a code; its token endpoint returns
 * an ID token that is right in everything but that one claim.
 */
export class RogueIdp {
  private server: Server | null = null;
  private key: CryptoKey | null = null;
  private jwk: Record<string, unknown> = {};
  private readonly codes = new Map<string, { nonce: string; clientId: string }>();
  origin = "";

  async start(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    this.key = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: "rogue", alg: "RS256", use: "sig" };
    this.server = createServer((req, res) => void this.handle(req, res));
    this.origin = `http://127.0.0.1:${await listen(this.server)}`;
    return this.origin;
  }

  issuerFor(misbehaviour: Misbehaviour) {
    return `${this.origin}/${misbehaviour}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.origin);
    const [, mode, ...rest] = url.pathname.split("/");
    const issuer = `${this.origin}/${mode}`;
    const path = `/${rest.join("/")}`;
    const json = (body: unknown) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(body));
    };
    if (path === "/.well-known/openid-configuration") {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (path === "/jwks") return json({ keys: [this.jwk] });
    if (path === "/authorize") {
      const code = `code-${Math.random().toString(36).slice(2)}`;
      this.codes.set(code, { nonce: url.searchParams.get("nonce") ?? "", clientId: url.searchParams.get("client_id") ?? "" });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (path === "/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const code = new URLSearchParams(body).get("code") ?? "";
      const issued = this.codes.get(code);
      if (!issued) {
        res.statusCode = 400;
        return json({ error: "invalid_grant" });
      }
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        sub: "rogue-subject",
        email: "victim@rogue.test",
        email_verified: true,
        nonce: mode === "nonce" ? "a-nonce-from-another-sign-in" : issued.nonce,
      })
        .setProtectedHeader({ alg: "RS256", kid: "rogue" })
        .setIssuer(mode === "iss" ? "https://another-issuer.test" : issuer)
        .setAudience(mode === "aud" ? "some-other-app" : issued.clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(this.key!);
      return json({ access_token: "rogue-access-token", token_type: "Bearer", expires_in: 300, id_token: idToken });
    }
    res.statusCode = 404;
    res.end();
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
