import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { EmailLayout, Paragraph } from "./components/layout";

export type DeletionCancelledProps = { brand: Brand; settingsUrl: string };

export const subject = (props: DeletionCancelledProps) => `Your ${props.brand.productName} account will not be deleted`;

export default function DeletionCancelled({ brand, settingsUrl }: DeletionCancelledProps) {
  return (
    <EmailLayout brand={brand} preview="Deletion cancelled">
      <Paragraph>The deletion of your {brand.productName} account was cancelled. Everything is as it was.</Paragraph>
      <Paragraph>If this was not you, change your password now at {settingsUrl}.</Paragraph>
    </EmailLayout>
  );
}

DeletionCancelled.PreviewProps = { brand: PREVIEW_BRAND, settingsUrl: "https://accounts.example.com/settings" } satisfies DeletionCancelledProps;
