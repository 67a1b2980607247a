import type { Brand } from "../../../emails/components/brand";
import { brandPalette } from "../../utils/brand-color";
import { getEnv } from "../env";

export function getBrand(): Brand {
  const env = getEnv();
  return {
    productName: env.PRODUCT_NAME,
    publicUrl: env.PUBLIC_URL.origin,
    operatorName: env.OPERATOR_NAME ?? null,
    operatorAddress: env.OPERATOR_ADDRESS ?? null,
    // Emails are read on white: the light theme's shade of the accent.
    accentColor: brandPalette(env.BRAND_COLOR).light.accent,
    accentTextColor: brandPalette(env.BRAND_COLOR).light.text,
    logoUrl: env.BRAND_LOGO_URL ? new URL(env.BRAND_LOGO_URL, env.PUBLIC_URL).toString() : null,
  };
}

/** An absolute link into the portal, always from PUBLIC_URL (never the Host header). */
export function publicLink(pathAndQuery: string): string {
  if (!pathAndQuery.startsWith("/") || pathAndQuery.startsWith("//")) throw new Error(`not a path: ${pathAndQuery}`);
  return new URL(pathAndQuery, getEnv().PUBLIC_URL).toString();
}
