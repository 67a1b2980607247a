import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type WebhookDisabledProps = { brand: Brand; endpointUrl: string; failingSince: string; manageUrl: string; orgName: string | null };

export const subject = (props: WebhookDisabledProps) => `An event endpoint was turned off after failing since ${props.failingSince}`;

export default function WebhookDisabled({ brand, endpointUrl, failingSince, manageUrl, orgName }: WebhookDisabledProps) {
  return (
    <EmailLayout brand={brand} preview="Event deliveries are paused">
      <Paragraph>
        {brand.productName} could not deliver events to {endpointUrl}
        {orgName ? ` (for ${orgName})` : ""}: every attempt since {failingSince} failed, so the endpoint was turned off.
      </Paragraph>
      <Paragraph>While it is off, nothing is sent to it. Fix the receiver, then turn the endpoint back on: deliveries that were still waiting are sent, and any event in its delivery log can be sent again.</Paragraph>
      <ActionLink brand={brand} href={manageUrl}>
        See the delivery log
      </ActionLink>
    </EmailLayout>
  );
}

WebhookDisabled.PreviewProps = {
  brand: PREVIEW_BRAND,
  endpointUrl: "https://apps.example.com/hooks/gatehouse",
  failingSince: "2026-11-29",
  manageUrl: "https://accounts.example.com/admin/events",
  orgName: null,
} satisfies WebhookDisabledProps;
