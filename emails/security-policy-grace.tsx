import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

// To a member who does not yet comply with a rule an org just switched on:
// what they must do, and by when; after that date they are asked at sign-in.
export type SecurityPolicyGraceProps = { brand: Brand; orgName: string; rule: "two-factor" | "sso"; enforcedFrom: string; actionUrl: string };

const WHAT = { "two-factor": "two-factor authentication", sso: "signing in with its single sign-on (SSO)" } as const;

export const subject = (props: SecurityPolicyGraceProps) => `${props.orgName} now requires ${WHAT[props.rule]}`;

export default function SecurityPolicyGrace({ brand, orgName, rule, enforcedFrom, actionUrl }: SecurityPolicyGraceProps) {
  return (
    <EmailLayout brand={brand} preview={`${orgName} now requires ${WHAT[rule]}`}>
      <Paragraph>
        {orgName} now requires {WHAT[rule]} for its members on {brand.productName}. You have until {enforcedFrom}.
      </Paragraph>
      <Paragraph>
        {rule === "two-factor"
          ? "Add an authenticator app or a passkey to your account. After that date you will be asked to do it at your next sign-in, and the organization stays closed to you until you have."
          : "Sign in through your company’s identity provider from now on. After that date, signing in with a password no longer opens the organization."}
      </Paragraph>
      <ActionLink brand={brand} href={actionUrl}>
        {rule === "two-factor" ? "Turn on two-factor" : "Sign in"}
      </ActionLink>
    </EmailLayout>
  );
}

SecurityPolicyGrace.PreviewProps = {
  brand: PREVIEW_BRAND,
  orgName: "Acme",
  rule: "two-factor",
  enforcedFrom: "8 December 2026",
  actionUrl: "https://accounts.example.com/settings/security",
} satisfies SecurityPolicyGraceProps;
