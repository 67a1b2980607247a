import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

// Sent instead of a verification email when someone signs up with an address
// that already has an account: the page they see is the same either way.
export type SignupAttemptProps = { brand: Brand; loginUrl: string; resetUrl: string };

export const subject = (props: SignupAttemptProps) => `Someone tried to sign up to ${props.brand.productName} with your address`;

export default function SignupAttempt({ brand, loginUrl, resetUrl }: SignupAttemptProps) {
  return (
    <EmailLayout brand={brand} preview="You already have an account">
      <Paragraph>Someone (perhaps you) tried to create a new {brand.productName} account with this email address. You already have one, so nothing was changed.</Paragraph>
      <ActionLink brand={brand} href={loginUrl}>Log in</ActionLink>
      <Paragraph>Forgot your password? Choose a new one here: {resetUrl}</Paragraph>
      <Paragraph>If this was not you, you can ignore this message.</Paragraph>
    </EmailLayout>
  );
}

SignupAttempt.PreviewProps = {
  brand: PREVIEW_BRAND,
  loginUrl: "https://accounts.example.com/login",
  resetUrl: "https://accounts.example.com/forgot-password",
} satisfies SignupAttemptProps;
