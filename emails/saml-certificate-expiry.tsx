import { PREVIEW_BRAND, type Brand } from "./components/brand";
import { ActionLink, EmailLayout, Paragraph } from "./components/layout";

export type SamlCertificateExpiryProps = {
  brand: Brand;
  connectionName: string;
  /** The org's name; null for the instance-wide connection. */
  orgName: string | null;
  /** The day it expires, as YYYY-MM-DD (UTC). */
  expiresOn: string;
  daysLeft: number;
  settingsUrl: string;
};

const inDays = (days: number) => (days <= 1 ? "tomorrow" : `in ${days} days`);

export const subject = (props: SamlCertificateExpiryProps) => `SSO certificate for “${props.connectionName}” expires ${inDays(props.daysLeft)}`;

export default function SamlCertificateExpiry({ brand, connectionName, orgName, expiresOn, daysLeft, settingsUrl }: SamlCertificateExpiryProps) {
  const whose = orgName ? `${orgName}'s SAML connection “${connectionName}”` : `the SAML connection “${connectionName}” that signs people in to ${brand.productName}`;
  return (
    <EmailLayout brand={brand} preview={`The IdP certificate expires on ${expiresOn}`}>
      <Paragraph>
        The identity provider's signing certificate for {whose} expires on {expiresOn} ({inDays(daysLeft)}).
      </Paragraph>
      <Paragraph>
        Before then your identity provider will sign with a new certificate, and from the moment it does, single sign-on through this
        connection fails until the connection has that certificate too. Create the new certificate at your identity provider, paste its new
        metadata (or certificate) into the connection next to the old one (we accept either while the IdP switches over), then switch the IdP to
        it.
      </Paragraph>
      <ActionLink brand={brand} href={settingsUrl}>Update the connection</ActionLink>
      <Paragraph>You receive this because you administer this SSO connection.</Paragraph>
    </EmailLayout>
  );
}

SamlCertificateExpiry.PreviewProps = {
  brand: PREVIEW_BRAND,
  connectionName: "Okta",
  orgName: "Acme",
  expiresOn: "2027-01-31",
  daysLeft: 7,
  settingsUrl: "https://accounts.example.com/orgs/acme/sso",
} satisfies SamlCertificateExpiryProps;
