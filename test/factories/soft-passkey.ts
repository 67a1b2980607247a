// A software passkey for HTTP tests: an ES256 key whose public half is stored
// as a passkey row, and which signs the server's challenge the way a browser
// and authenticator would (WebAuthn assertion), so the server's real
// verification runs. For paths a browser test with Chromium's virtual
// authenticator would make slow (e.g. policy checks on passkey sign-in).
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";
import type { Database } from "../../app/.server/db";

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");

export type SoftPasskey = { credentialId: string; assert: (options: { challenge: string; rpId: string; origin: string }) => string };

export async function addSoftPasskey(db: Database, userId: string): Promise<SoftPasskey> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const cose = isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
    ]),
  );
  const credentialId = b64url(randomBytes(16));
  await db.insertInto("passkey").values({ user_id: userId, credential_id: credentialId, public_key: cose, counter: 0, name: "Soft key" }).execute();
  let counter = 0;
  const userHandle = Buffer.from(userId.replace(/-/g, ""), "hex");
  return {
    credentialId,
    assert({ challenge, rpId, origin }) {
      counter += 1;
      const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge, origin, crossOrigin: false }));
      const counterBytes = Buffer.alloc(4);
      counterBytes.writeUInt32BE(counter);
      // rpIdHash, flags (user present + user verified), signature counter.
      const authenticatorData = Buffer.concat([createHash("sha256").update(rpId).digest(), Buffer.from([0x05]), counterBytes]);
      const signature = sign("sha256", Buffer.concat([authenticatorData, createHash("sha256").update(clientDataJSON).digest()]), privateKey);
      return JSON.stringify({
        id: credentialId,
        rawId: credentialId,
        type: "public-key",
        clientExtensionResults: {},
        response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authenticatorData), signature: b64url(signature), userHandle: b64url(userHandle) },
      });
    },
  };
}
