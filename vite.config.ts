import { vitePlugin as remix } from "@remix-run/dev";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// The components the root route (header, menus, section sidebars) and the
// landing page need, whichever page is opened first.
const SHELL_MODULES = /\/app\/(components\/(site-layout|section-frame|nav|notice-banner|alert|button|avatar|error-page|use-hydrated|status-icons|svg|field|card|waitlist-form)|utils\/(instance-context|nonce))\.tsx?$/;

export default defineConfig({
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: true,
      },
    }),
  ],
  server: {
    // Test output and data directories change all the time; they are not sources.
    watch: { ignored: ["**/.ci/**", "**/data/**", "**/build/**", "**/.cache/**", "**/.bench/**"] },
  },
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  build: {
    // Keep assets as files (never data: URIs), so the CSP can stay strict.
    assetsInlineLimit: 0,
    rollupOptions: {
      onwarn(warning, warn) {
        // A route with only a loader or an action (CSV export, webhooks, logout)
        // has nothing for the browser, so its client chunk is empty by design.
        if (warning.code === "EMPTY_BUNDLE") return;
        warn(warning);
      },
      output: {
        // Every page loads the app shell's components: one file compresses
        // better than a dozen (the landing page's JS budget, ADR 0013).
        manualChunks(id) {
          return SHELL_MODULES.test(id) ? "shell" : undefined;
        },
      },
    },
  },
});
