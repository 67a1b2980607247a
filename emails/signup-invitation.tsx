import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type SignupInvitationProps = { brand: Brand; signupUrl: string; expiresInDays: number };

export const subject = (props: SignupInvitationProps) => `You're invited to ${props.brand.productName}`;

export default function SignupInvitation({ brand, signupUrl, expiresInDays }: SignupInvitationProps) {
  return (
    <EmailLayout brand={brand} preview={`Create your ${brand.productName} account`}>
      <Paragraph>You can now create your {brand.productName} account. This link is for this email address only:</Paragraph>
      <ActionLink brand={brand} href={signupUrl}>Create my account</ActionLink>
      <Paragraph>The invitation expires in {expiresInDays} days.</Paragraph>
    </EmailLayout>
  );
}

SignupInvitation.PreviewProps = {
  brand: PREVIEW_BRAND,
  signupUrl: "https://accounts.example.com/signup?invitation=abc123",
  expiresInDays: 14,
} satisfies SignupInvitationProps;
