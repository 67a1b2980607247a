import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { EmailLayout, Paragraph } from "./components/layout";

export type PasswordChangedProps = { brand: Brand; how: "reset" | "settings"; resetUrl: string };

export const subject = (props: PasswordChangedProps) => `Your ${props.brand.productName} password was changed`;

export default function PasswordChanged({ brand, how, resetUrl }: PasswordChangedProps) {
  return (
    <EmailLayout brand={brand} preview="Your password was changed">
      <Paragraph>
        The password of your {brand.productName} account was just changed{how === "reset" ? " with a reset link, and every signed-in session was ended" : " from Settings"}.
      </Paragraph>
      <Paragraph>If this was not you, reset your password now at {resetUrl} and contact us.</Paragraph>
    </EmailLayout>
  );
}

PasswordChanged.PreviewProps = { brand: PREVIEW_BRAND, how: "reset", resetUrl: "https://accounts.example.com/forgot-password" } satisfies PasswordChangedProps;
