import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

// To an org's other owners when one owner signs in past its require-SSO rule
// with password and second factor (the break-glass path). Never a secret.
export type BreakGlassUsedProps = { brand: Brand; orgName: string; ownerLabel: string; ip: string | null; auditUrl: string };

export const subject = (props: BreakGlassUsedProps) => `${props.orgName}: an owner signed in without SSO (break-glass)`;

export default function BreakGlassUsed({ brand, orgName, ownerLabel, ip, auditUrl }: BreakGlassUsedProps) {
  return (
    <EmailLayout brand={brand} preview={`${ownerLabel} used the break-glass sign-in`}>
      <Paragraph>
        {ownerLabel} signed in to {brand.productName} with their password and second factor instead of {orgName}’s single sign-on{ip ? `, from ${ip}` : ""}.
      </Paragraph>
      <Paragraph>Owners keep this way in for when the identity provider is down. If you did not expect it, talk to them and review the audit history.</Paragraph>
      <ActionLink brand={brand} href={auditUrl}>
        Open the audit history
      </ActionLink>
    </EmailLayout>
  );
}

BreakGlassUsed.PreviewProps = {
  brand: PREVIEW_BRAND,
  orgName: "Acme",
  ownerLabel: "ada@acme.example",
  ip: "203.0.113.7",
  auditUrl: "https://accounts.example.com/orgs/acme/audit",
} satisfies BreakGlassUsedProps;
