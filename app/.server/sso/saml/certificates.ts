// IdP signing certificates: stored as PEM (several when the IdP is rolling its
// key), read from metadata as base64 DER. Node's X509Certificate checks each
// one is a real certificate and gives its expiry.
import { X509Certificate } from "node:crypto";

export type ParsedCertificate = { pem: string; expiresAt: Date; subject: string };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** base64 DER (as in <ds:X509Certificate>) to a PEM block, or null if it is no certificate. */
export function certificateFromBase64(base64: string): ParsedCertificate | null {
  const body = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) return null;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    const certificate = new X509Certificate(pem);
    return { pem, expiresAt: new Date(certificate.validTo), subject: certificate.subject.replace(/\n/g, ", ") };
  } catch {
    return null;
  }
}

/**
 * Every certificate in a stored value: PEM blocks, or one bare base64 blob (as
 * an admin may paste it from metadata). Invalid blocks are reported, not skipped.
 */
export function parseCertificates(text: string | null): { certificates: ParsedCertificate[]; invalid: number } {
  if (!text?.trim()) return { certificates: [], invalid: 0 };
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => match[1] ?? "");
  const candidates = blocks.length > 0 ? blocks : [text];
  const certificates: ParsedCertificate[] = [];
  let invalid = 0;
  for (const candidate of candidates) {
    const parsed = certificateFromBase64(candidate);
    if (parsed) certificates.push(parsed);
    else invalid++;
  }
  return { certificates, invalid };
}

/**
 * The date the connection's sign-in may stop working: the earliest expiry among
 * its certificates (an IdP rolling its key may still sign with the old one).
 */
export function earliestExpiry(certificates: ParsedCertificate[]): Date | null {
  if (certificates.length === 0) return null;
  return new Date(Math.min(...certificates.map((certificate) => certificate.expiresAt.getTime())));
}
