// Turns a template and its props into the subject, HTML and plain text that are
// stored in the outbox. React escapes every prop it renders, so user-supplied
// names and org names cannot inject markup.
import { createElement } from "react";
import type { Brand } from "../../../emails/components/brand";
import type { EmailProps, EmailTemplateName } from "../../../emails";

// The renderer and the templates (with the formatter React Email pulls in) are
// loaded on the first message, not at start-up: most requests send no email.
const loadRenderer = () => Promise.all([import("@react-email/render"), import("../../../emails"), import("html-to-text")]);

// React Email's plain-text rendering renders the tree a second time and then
// builds an html-to-text converter from its options on every call (most of
// the cost of queueing a message). The same conversion, with the same options,
// compiled once and applied to the HTML already rendered.
let toPlainText: ((html: string) => string) | undefined;

export type RenderedEmail = { subject: string; html: string; text: string };

export async function renderEmail<N extends EmailTemplateName>(name: N, props: EmailProps<N>, brand: Brand): Promise<RenderedEmail> {
  const [{ render, plainTextSelectors }, { emailTemplates }, { compile }] = await loadRenderer();
  toPlainText ??= compile({ wordwrap: false, selectors: plainTextSelectors });
  const template = emailTemplates[name];
  // Each template's props type is checked at the call site (EmailProps<N>); here
  // they are handed on as they are.
  const fullProps = { ...props, brand } as never;
  const element = createElement(template.component as never, fullProps);
  const html = await render(element);
  const text = toPlainText(html);
  assertLinksArePublic(html, brand.publicUrl, name);
  return { subject: (template.subject as (p: never) => string)(fullProps), html, text };
}

/**
 * Every link in a message must point at PUBLIC_URL (or be a mailto:). A link
 * built from a request's Host header would let an attacker who controls that
 * header send our users to their own site with a valid token in hand.
 */
export function assertLinksArePublic(html: string, publicUrl: string, template: string): void {
  const origin = new URL(publicUrl).origin;
  for (const match of html.matchAll(/href="([^"]*)"/g)) {
    const href = match[1]!.replaceAll("&amp;", "&");
    if (href.startsWith("mailto:")) continue;
    if (!URL.canParse(href) || new URL(href).origin !== origin) {
      throw new Error(`Email template "${template}" links outside PUBLIC_URL: ${href}`);
    }
  }
}
