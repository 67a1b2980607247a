// Each component from its own package: the @react-email/components barrel also
// loads Tailwind, Markdown and a Prism code block (~0.5 s and ~50 MB on the
// first email a process sends), none of which these templates use.
import { Body } from "@react-email/body";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Hr } from "@react-email/hr";
import { Html } from "@react-email/html";
import { Link } from "@react-email/link";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { ReactNode } from "react";
import type { Brand } from "./brand";

const body = { backgroundColor: "#f8fafc", fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", color: "#0f172a" };
const card = { backgroundColor: "#ffffff", border: "1px solid #cbd5e1", borderRadius: "8px", padding: "24px", margin: "24px auto", maxWidth: "520px" };
// The default brand's accent, for messages queued before the brand carried one.
const DEFAULT_ACCENT = "#4338ca";
const footer = { color: "#475569", fontSize: "12px", lineHeight: "18px" };

/** The frame around every message: product name, the content, who sent it and why. */
export function EmailLayout({ brand, preview, children }: { brand: Brand; preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={body}>
        <Container style={card}>
          {brand.logoUrl ? <img src={brand.logoUrl} alt={brand.productName} height="32" style={{ display: "block", margin: "0 0 16px" }} /> : null}
          <Text style={{ fontSize: "18px", fontWeight: 700, margin: "0 0 16px", color: brand.accentColor ?? DEFAULT_ACCENT }}>{brand.productName}</Text>
          <Section>{children}</Section>
          <Hr />
          <Text style={footer}>
            Sent by {brand.operatorName ?? brand.productName} from <Link href={brand.publicUrl}>{brand.publicUrl}</Link>
            {brand.operatorAddress ? ` · ${brand.operatorAddress}` : ""}
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={{ fontSize: "15px", lineHeight: "24px" }}>{children}</Text>;
}

export function ActionLink({ brand, href, children }: { brand?: Brand; href: string; children: ReactNode }) {
  return (
    <Text style={{ margin: "24px 0" }}>
      <Link href={href} style={{ backgroundColor: brand?.accentColor ?? DEFAULT_ACCENT, color: brand?.accentTextColor ?? "#ffffff", padding: "12px 20px", borderRadius: "6px", fontWeight: 600 }}>
        {children}
      </Link>
    </Text>
  );
}
