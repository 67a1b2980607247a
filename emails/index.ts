// Every email the product sends, by name. queueEmail() takes a name from here,
// so a message cannot be queued without its template, subject and props type.
import type { ComponentType } from "react";
import BreakGlassUsed, { subject as breakGlassUsedSubject, type BreakGlassUsedProps } from "./break-glass-used";
import DeletionCancelled, { subject as deletionCancelledSubject, type DeletionCancelledProps } from "./deletion-cancelled";
import DeletionScheduled, { subject as deletionScheduledSubject, type DeletionScheduledProps } from "./deletion-scheduled";
import EmailChangeNotice, { subject as emailChangeNoticeSubject, type EmailChangeNoticeProps } from "./email-change-notice";
import OrgInvitation, { subject as orgInvitationSubject, type OrgInvitationProps } from "./org-invitation";
import PolicyNotice, { subject as policyNoticeSubject, type PolicyNoticeProps } from "./policy-notice";
import PasswordChanged, { subject as passwordChangedSubject, type PasswordChangedProps } from "./password-changed";
import PasswordReset, { subject as passwordResetSubject, type PasswordResetProps } from "./password-reset";
import SamlCertificateExpiry, { subject as samlCertificateExpirySubject, type SamlCertificateExpiryProps } from "./saml-certificate-expiry";
import SecurityPolicyGrace, { subject as securityPolicyGraceSubject, type SecurityPolicyGraceProps } from "./security-policy-grace";
import SignupAttempt, { subject as signupAttemptSubject, type SignupAttemptProps } from "./signup-attempt";
import SignupInvitation, { subject as signupInvitationSubject, type SignupInvitationProps } from "./signup-invitation";
import WaitlistConfirm, { subject as waitlistConfirmSubject, type WaitlistConfirmProps } from "./waitlist-confirm";
import TwoFactorChanged, { subject as twoFactorChangedSubject, type TwoFactorChangedProps } from "./two-factor-changed";
import VerifyEmail, { subject as verifyEmailSubject, type VerifyEmailProps } from "./verify-email";

type Template<P> = { component: ComponentType<P>; subject: (props: P) => string; preview: P };

function template<P>(component: ComponentType<P> & { PreviewProps: P }, subject: (props: P) => string): Template<P> {
  return { component, subject, preview: component.PreviewProps };
}

export const emailTemplates = {
  "verify-email": template<VerifyEmailProps>(VerifyEmail, verifyEmailSubject),
  "signup-attempt": template<SignupAttemptProps>(SignupAttempt, signupAttemptSubject),
  "signup-invitation": template<SignupInvitationProps>(SignupInvitation, signupInvitationSubject),
  "password-reset": template<PasswordResetProps>(PasswordReset, passwordResetSubject),
  "password-changed": template<PasswordChangedProps>(PasswordChanged, passwordChangedSubject),
  "email-change-notice": template<EmailChangeNoticeProps>(EmailChangeNotice, emailChangeNoticeSubject),
  "waitlist-confirm": template<WaitlistConfirmProps>(WaitlistConfirm, waitlistConfirmSubject),
  "org-invitation": template<OrgInvitationProps>(OrgInvitation, orgInvitationSubject),
  "deletion-scheduled": template<DeletionScheduledProps>(DeletionScheduled, deletionScheduledSubject),
  "deletion-cancelled": template<DeletionCancelledProps>(DeletionCancelled, deletionCancelledSubject),
  "policy-notice": template<PolicyNoticeProps>(PolicyNotice, policyNoticeSubject),
  "two-factor-changed": template<TwoFactorChangedProps>(TwoFactorChanged, twoFactorChangedSubject),
  "break-glass-used": template<BreakGlassUsedProps>(BreakGlassUsed, breakGlassUsedSubject),
  "security-policy-grace": template<SecurityPolicyGraceProps>(SecurityPolicyGrace, securityPolicyGraceSubject),
  "saml-certificate-expiry": template<SamlCertificateExpiryProps>(SamlCertificateExpiry, samlCertificateExpirySubject),
};

export type EmailTemplateName = keyof typeof emailTemplates;
export type EmailProps<N extends EmailTemplateName> = (typeof emailTemplates)[N] extends Template<infer P> ? Omit<P, "brand"> : never;
