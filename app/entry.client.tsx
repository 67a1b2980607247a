import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { InstanceContext } from "./utils/instance-context";

// Written by the server on <html> (see app/root.tsx), so the first client render matches.
const productName = document.documentElement.dataset.productName ?? "Gatehouse";
const logoUrl = document.documentElement.dataset.logoUrl ?? null;

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <InstanceContext.Provider value={{ productName, logoUrl }}>
        <RemixBrowser />
      </InstanceContext.Provider>
    </StrictMode>,
  );
});
