import { Text } from "@react-email/text";
import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type VerifyEmailProps = {
  brand: Brand;
  name: string | null;
  code: string;
  verifyUrl: string;
  expiresInMinutes: number;
  /** A new address for an existing account, rather than a new account. */
  isEmailChange?: boolean;
};

// No code in the subject: subjects stay in the outbox (and the operator's
// email log) after the bodies are cleared, and show on lock screens.
export const subject = (props: VerifyEmailProps) => `Your ${props.brand.productName} verification code`;

export default function VerifyEmail({ brand, name, code, verifyUrl, expiresInMinutes, isEmailChange }: VerifyEmailProps) {
  return (
    <EmailLayout brand={brand} preview="Your verification code and link are inside">
      <Paragraph>{name ? `Hi ${name},` : "Hi,"}</Paragraph>
      <Paragraph>
        {isEmailChange
          ? `Enter this code to make this the email address of your ${brand.productName} account:`
          : "Enter this code to confirm your email address:"}
      </Paragraph>
      <Text style={{ fontSize: "28px", fontWeight: 700, letterSpacing: "6px" }}>{code}</Text>
      <Paragraph>Or follow this link:</Paragraph>
      <ActionLink brand={brand} href={verifyUrl}>Verify my email</ActionLink>
      <Paragraph>
        The code works once and expires in {expiresInMinutes} minutes. If you did not ask for it, ignore this message:
        nothing happens without the code.
      </Paragraph>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = {
  brand: PREVIEW_BRAND,
  name: "Ada",
  code: "12345678",
  verifyUrl: "https://accounts.example.com/verify-email?code=12345678",
  expiresInMinutes: 30,
} satisfies VerifyEmailProps;
