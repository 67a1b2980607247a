import { useEffect, useState } from "react";

/**
 * False on the server and in the first browser render (so both render the same
 * HTML), true once React has hydrated. Components render their no-JavaScript
 * form until then.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
