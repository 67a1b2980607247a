// The HTTP server (server.ts, bundled by esbuild) and the Remix server build
// (bundled by Vite) each carry their own copy of app/.server modules. State that
// must exist once per process — the settings, the database, the logger — is kept
// on globalThis under a fixed key so both copies share it.
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __gatehouse?: Map<string, unknown> };
  store.__gatehouse ??= new Map();
  if (!store.__gatehouse.has(name)) store.__gatehouse.set(name, create());
  return store.__gatehouse.get(name) as T;
}
