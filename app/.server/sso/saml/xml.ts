// The small, strict XML reading this folder needs: parse untrusted text into a
// DOM (or say why not) and walk it by namespace + local name, child by child.
// Walking children explicitly (never "any descendant") is what keeps an
// element planted elsewhere in the document from being read by mistake.
import { DOMParser } from "@xmldom/xmldom";

export const NS = {
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

/** Anything larger is not a SAML message or metadata document we will read. */
export const MAX_XML_BYTES = 1024 * 1024;

export type ParsedXml = { ok: true; document: Document } | { ok: false; message: string };

export function parseXml(text: string): ParsedXml {
  if (Buffer.byteLength(text, "utf8") > MAX_XML_BYTES) return { ok: false, message: "The XML is larger than 1 MB." };
  const trimmed = text.trim();
  if (!trimmed.startsWith("<")) return { ok: false, message: "This is not XML (it should start with “<”)." };
  // No legitimate SAML document has a DTD; refusing it rules out entity tricks.
  if (/<!DOCTYPE/i.test(trimmed)) return { ok: false, message: "XML with a DOCTYPE is not accepted." };
  const problems: string[] = [];
  const report = (message: string) => problems.push(message.split("\n")[0] ?? message);
  const document = new DOMParser({ errorHandler: { warning: () => undefined, error: report, fatalError: report } }).parseFromString(trimmed, "text/xml");
  if (problems.length > 0 || !document?.documentElement) {
    return { ok: false, message: `This is not well-formed XML${problems[0] ? ` (${problems[0].replace(/^\[xmldom \w+\]\s*/, "")})` : ""}.` };
  }
  return { ok: true, document };
}

export function isElement(node: Node | null | undefined, ns: string, localName: string): node is Element {
  return !!node && node.nodeType === 1 && (node as Element).namespaceURI === ns && (node as Element).localName === localName;
}

/** The direct children of `parent` with this namespace and local name. */
export function childElements(parent: Element | Document, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  const nodes = parent.childNodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes.item(i);
    if (isElement(node, ns, localName)) found.push(node);
  }
  return found;
}

export function childElement(parent: Element | Document, ns: string, localName: string): Element | null {
  return childElements(parent, ns, localName)[0] ?? null;
}

/** Follows a path of direct children, e.g. ["Subject", "NameID"], all in one namespace. */
export function pathElement(parent: Element | Document, ns: string, path: string[]): Element | null {
  let current: Element | Document | null = parent;
  for (const step of path) {
    if (!current) return null;
    current = childElement(current, ns, step);
  }
  return current as Element | null;
}

export function textOf(element: Element | null): string | null {
  const text = element?.textContent?.trim();
  return text ? text : null;
}

/** Every element with this namespace and local name, anywhere below `root` (used to count, never to read). */
export function countDescendants(root: Document | Element, ns: string, localName: string): number {
  return root.getElementsByTagNameNS(ns, localName).length;
}

/** An attribute's value, or null when it is absent or empty. */
export function attribute(element: Element | null, name: string): string | null {
  const value = element?.getAttribute(name);
  return value ? value : null;
}
