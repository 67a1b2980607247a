import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type WaitlistConfirmProps = { brand: Brand; name: string | null; confirmUrl: string; expiresInDays: number };

export const subject = (props: WaitlistConfirmProps) => `Confirm your place on the ${props.brand.productName} waitlist`;

export default function WaitlistConfirm({ brand, name, confirmUrl, expiresInDays }: WaitlistConfirmProps) {
  return (
    <EmailLayout brand={brand} preview="One click to confirm your place">
      <Paragraph>{name ? `Hi ${name},` : "Hi,"}</Paragraph>
      <Paragraph>Thanks for joining the {brand.productName} waitlist. Please confirm that this address is yours:</Paragraph>
      <ActionLink brand={brand} href={confirmUrl}>Confirm my place</ActionLink>
      <Paragraph>The link expires in {expiresInDays} days. If you did not sign up, ignore this message and we will not write again.</Paragraph>
    </EmailLayout>
  );
}

WaitlistConfirm.PreviewProps = {
  brand: PREVIEW_BRAND,
  name: "Ada",
  confirmUrl: "https://accounts.example.com/waitlist/confirm/abc123",
  expiresInDays: 7,
} satisfies WaitlistConfirmProps;
