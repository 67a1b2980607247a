// Every email the product sends, by name. queueEmail() takes a name from here,
// so a message cannot be queued without its template, subject and props type.
import type { ComponentType } from "react";
import VerifyEmail, { subject as verifyEmailSubject, type VerifyEmailProps } from "./verify-email";

type Template<P> = { component: ComponentType<P>; subject: (props: P) => string; preview: P };

function template<P>(component: ComponentType<P> & { PreviewProps: P }, subject: (props: P) => string): Template<P> {
  return { component, subject, preview: component.PreviewProps };
}

export const emailTemplates = {
  "verify-email": template<VerifyEmailProps>(VerifyEmail, verifyEmailSubject),
};

export type EmailTemplateName = keyof typeof emailTemplates;
export type EmailProps<N extends EmailTemplateName> = (typeof emailTemplates)[N] extends Template<infer P> ? Omit<P, "brand"> : never;
