import { createContext, useContext } from "react";

// What every page shows about the installation, even an error page whose root
// loader never ran. The server provides it (entry.server.tsx) and writes it on
// <html>, from where the browser picks it up before hydrating (entry.client.tsx).
export type InstanceBranding = { productName: string; logoUrl: string | null };

export const InstanceContext = createContext<InstanceBranding>({ productName: "Gatehouse", logoUrl: null });

export function useInstance(): InstanceBranding {
  return useContext(InstanceContext);
}
