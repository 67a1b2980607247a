import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type PolicyNoticeProps = { brand: Brand; title: string; body: string; link: string | null };

export const subject = (props: PolicyNoticeProps) => `${props.brand.productName}: ${props.title}`;

export default function PolicyNotice({ brand, title, body, link }: PolicyNoticeProps) {
  return (
    <EmailLayout brand={brand} preview={title}>
      <Paragraph>
        <strong>{title}</strong>
      </Paragraph>
      {body.split(/\n{2,}/).map((paragraph, i) => (
        <Paragraph key={i}>{paragraph}</Paragraph>
      ))}
      {link ? <ActionLink brand={brand} href={link}>Read more</ActionLink> : null}
      <Paragraph>You receive this because you have an account. It is a service message about how we handle your data.</Paragraph>
    </EmailLayout>
  );
}

PolicyNotice.PreviewProps = {
  brand: PREVIEW_BRAND,
  title: "We updated our privacy policy",
  body: "We now keep audit events for 365 days.\n\nNothing else changes.",
  link: "https://accounts.example.com/privacy",
} satisfies PolicyNoticeProps;
