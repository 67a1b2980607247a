import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type PasswordResetProps = { brand: Brand; resetUrl: string; expiresInMinutes: number };

export const subject = (props: PasswordResetProps) => `Reset your ${props.brand.productName} password`;

export default function PasswordReset({ brand, resetUrl, expiresInMinutes }: PasswordResetProps) {
  return (
    <EmailLayout brand={brand} preview="Choose a new password">
      <Paragraph>Someone asked to reset the password of your {brand.productName} account. Follow this link to choose a new one:</Paragraph>
      <ActionLink brand={brand} href={resetUrl}>Choose a new password</ActionLink>
      <Paragraph>The link works once and expires in {expiresInMinutes} minutes. If you did not ask for it, ignore this message: your password stays as it is.</Paragraph>
    </EmailLayout>
  );
}

PasswordReset.PreviewProps = {
  brand: PREVIEW_BRAND,
  resetUrl: "https://accounts.example.com/reset-password/abc123",
  expiresInMinutes: 30,
} satisfies PasswordResetProps;
