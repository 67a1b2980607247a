import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { EmailLayout, Paragraph } from "./components/layout";

// Goes to the old address when someone asks to move the account to a new one.
export type EmailChangeNoticeProps = { brand: Brand; newEmail: string; settingsUrl: string };

export const subject = (props: EmailChangeNoticeProps) => `Your ${props.brand.productName} email address is being changed`;

export default function EmailChangeNotice({ brand, newEmail, settingsUrl }: EmailChangeNoticeProps) {
  return (
    <EmailLayout brand={brand} preview="A request to change your email address">
      <Paragraph>
        Someone signed in to your {brand.productName} account asked to change its email address to {newEmail}. The change happens only once
        the code we sent to that address is entered.
      </Paragraph>
      <Paragraph>If this was not you, change your password and review your sessions at {settingsUrl}.</Paragraph>
    </EmailLayout>
  );
}

EmailChangeNotice.PreviewProps = {
  brand: PREVIEW_BRAND,
  newEmail: "ada@new.example",
  settingsUrl: "https://accounts.example.com/settings",
} satisfies EmailChangeNoticeProps;
