/** What every email says about the sender; filled from the settings by queueEmail. */
export type Brand = {
  productName: string;
  publicUrl: string;
  operatorName: string | null;
  operatorAddress: string | null;
  /** BRAND_COLOR, made readable on white (app/utils/brand-color.ts); optional for messages queued before it existed. */
  accentColor?: string;
  accentTextColor?: string;
  /** BRAND_LOGO_URL as an absolute URL (a path is put on PUBLIC_URL), or null. */
  logoUrl?: string | null;
};

export const PREVIEW_BRAND: Brand = {
  productName: "Gatehouse",
  publicUrl: "https://accounts.example.com",
  operatorName: "Example Ltd",
  operatorAddress: "1 Example Street, London",
  accentColor: "#4338ca",
  accentTextColor: "#ffffff",
  logoUrl: null,
};
