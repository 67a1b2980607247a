/** What every email says about the sender; filled from the settings by queueEmail. */
export type Brand = {
  productName: string;
  publicUrl: string;
  operatorName: string | null;
  operatorAddress: string | null;
};

export const PREVIEW_BRAND: Brand = {
  productName: "Gatehouse",
  publicUrl: "https://accounts.example.com",
  operatorName: "Example Ltd",
  operatorAddress: "1 Example Street, London",
};
