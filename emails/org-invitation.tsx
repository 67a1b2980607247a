import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type OrgInvitationProps = { brand: Brand; orgName: string; inviterLabel: string; role: string; acceptUrl: string; expiresInDays: number };

export const subject = (props: OrgInvitationProps) => `Join ${props.orgName} on ${props.brand.productName}`;

export default function OrgInvitation({ brand, orgName, inviterLabel, role, acceptUrl, expiresInDays }: OrgInvitationProps) {
  return (
    <EmailLayout brand={brand} preview={`${inviterLabel} invited you to ${orgName}`}>
      <Paragraph>
        {inviterLabel} invited you to join {orgName} on {brand.productName} as {role === "admin" ? "an admin" : `a ${role}`}.
      </Paragraph>
      <ActionLink brand={brand} href={acceptUrl}>Accept the invitation</ActionLink>
      <Paragraph>The invitation is for this email address only and expires in {expiresInDays} days. If you did not expect it, ignore this message.</Paragraph>
    </EmailLayout>
  );
}

OrgInvitation.PreviewProps = {
  brand: PREVIEW_BRAND,
  orgName: "Acme",
  inviterLabel: "ada@example.com",
  role: "member",
  acceptUrl: "https://accounts.example.com/invite/abc123",
  expiresInDays: 7,
} satisfies OrgInvitationProps;
