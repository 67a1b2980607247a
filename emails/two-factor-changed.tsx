import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { EmailLayout, Paragraph } from "./components/layout";

export type TwoFactorChange =
  | "turned-on"
  | "turned-off"
  | "totp-added"
  | "totp-removed"
  | "passkey-added"
  | "passkey-removed"
  | "recovery-codes-regenerated"
  | "recovery-code-used"
  | "reset-by-operator";

export type TwoFactorChangedProps = { brand: Brand; change: TwoFactorChange; detail?: string | null; securityUrl: string };

// The subject says what happened and never carries a secret or a code.
const HEADLINES: Record<TwoFactorChange, string> = {
  "turned-on": "Two-factor authentication was turned on",
  "turned-off": "Two-factor authentication was turned off",
  "totp-added": "An authenticator app was added",
  "totp-removed": "Your authenticator app was removed",
  "passkey-added": "A passkey was added",
  "passkey-removed": "A passkey was removed",
  "recovery-codes-regenerated": "New recovery codes were made",
  "recovery-code-used": "A recovery code was used to sign in",
  "reset-by-operator": "Two-factor authentication was reset by an administrator",
};

export const subject = (props: TwoFactorChangedProps) => `${HEADLINES[props.change]} on your ${props.brand.productName} account`;

export default function TwoFactorChanged({ brand, change, detail, securityUrl }: TwoFactorChangedProps) {
  return (
    <EmailLayout brand={brand} preview={HEADLINES[change]}>
      <Paragraph>
        {HEADLINES[change]} on your {brand.productName} account{detail ? ` (${detail})` : ""}.
      </Paragraph>
      {change === "reset-by-operator" || change === "turned-off" ? (
        <Paragraph>Your account is now protected by your password alone. You can set up two-factor authentication again at {securityUrl}.</Paragraph>
      ) : (
        <Paragraph>You can review your sign-in methods at {securityUrl}.</Paragraph>
      )}
      <Paragraph>If this was not you, reset your password and review your sessions now, and contact us.</Paragraph>
    </EmailLayout>
  );
}

TwoFactorChanged.PreviewProps = { brand: PREVIEW_BRAND, change: "turned-on", detail: null, securityUrl: "https://accounts.example.com/settings/security" } satisfies TwoFactorChangedProps;
