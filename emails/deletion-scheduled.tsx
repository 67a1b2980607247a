import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type DeletionScheduledProps = { brand: Brand; purgeDate: string; loginUrl: string; orgNames: string[]; appsTold?: boolean };

export const subject = (props: DeletionScheduledProps) => `Your ${props.brand.productName} account will be deleted on ${props.purgeDate}`;

export default function DeletionScheduled({ brand, purgeDate, loginUrl, orgNames, appsTold = false }: DeletionScheduledProps) {
  return (
    <EmailLayout brand={brand} preview={`Deletion on ${purgeDate}`}>
      <Paragraph>
        You asked us to delete your {brand.productName} account. Every session was ended. On {purgeDate} we erase your account and your
        personal data for good.
      </Paragraph>
      {appsTold ? <Paragraph>The apps connected to your {brand.productName} account are told when your account is erased, so that they delete what they hold about you too.</Paragraph> : null}
      {orgNames.length > 0 ? <Paragraph>These organizations, where you were the only member, will be deleted with it: {orgNames.join(", ")}.</Paragraph> : null}
      <Paragraph>Changed your mind? Log in before then and choose “Cancel deletion”.</Paragraph>
      <ActionLink brand={brand} href={loginUrl}>Log in to cancel</ActionLink>
    </EmailLayout>
  );
}

DeletionScheduled.PreviewProps = { brand: PREVIEW_BRAND, purgeDate: "2026-11-29", loginUrl: "https://accounts.example.com/login", orgNames: [] } satisfies DeletionScheduledProps;
