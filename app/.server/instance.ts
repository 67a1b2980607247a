// What the pages say about this installation: who runs it, in which mode. Read
// from the settings; the privacy page and the layout render from this.
import { getEnv } from "./env";

export type InstanceSettings = {
  productName: string;
  mode: "hosted" | "self-hosted";
  operatorName: string | null;
  operatorEmail: string | null;
  publicUrl: string;
};

export function getInstanceSettings(): InstanceSettings {
  const env = getEnv();
  return {
    productName: env.PRODUCT_NAME,
    mode: env.GATEHOUSE_MODE,
    operatorName: env.OPERATOR_NAME ?? null,
    operatorEmail: env.OPERATOR_EMAIL ?? null,
    publicUrl: env.PUBLIC_URL.origin,
  };
}
