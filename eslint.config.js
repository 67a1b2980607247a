import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/", "node_modules/", ".ci/", ".cache/", "data/", "test-results/", "playwright-report/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Migrations are frozen against Kysely<any> by design (see STYLE.md).
      "@typescript-eslint/no-explicit-any": "off",
      // Settings are read in app/.server/env.ts only.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read settings with getEnv() from app/.server/env.ts." }],
    },
  },
  {
    // A CommonJS preload (node --require) for the egress test.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["app/.server/env.ts", "test/**", "scripts/**", "*.config.ts", "playwright.config.ts", "**/*.test.ts"],
    rules: { "no-restricted-properties": "off" },
  },
);
