// What the pages say about this installation: who runs it, in which mode. Read
// from the settings; the privacy page and the layout render from this.
import { getEnv } from "./env";

export type InstanceSettings = {
  productName: string;
  mode: "hosted" | "self-hosted";
  operatorName: string | null;
  operatorEmail: string | null;
  publicUrl: string;
  brandColor: string | undefined;
  /** The operator's logo: a path on this server or an https URL they serve. */
  logoUrl: string | null;
};

export function getInstanceSettings(): InstanceSettings {
  const env = getEnv();
  return {
    productName: env.PRODUCT_NAME,
    mode: env.GATEHOUSE_MODE,
    operatorName: env.OPERATOR_NAME ?? null,
    operatorEmail: env.OPERATOR_EMAIL ?? null,
    publicUrl: env.PUBLIC_URL.origin,
    brandColor: env.BRAND_COLOR,
    logoUrl: env.BRAND_LOGO_URL ?? null,
  };
}
