// The installation the e2e suite runs against. The Playwright config starts the
// server with these settings and the specs assert that the pages show them, so
// they are deliberately recognisable and unlike any default.
export const E2E_PORT = 3100;
export const E2E_ORIGIN = `http://localhost:${E2E_PORT}`;
export const E2E_DATABASE_NAME = "gatehouse_e2e";

export const E2E_SETTINGS = {
  GATEHOUSE_MODE: "hosted",
  PRODUCT_NAME: "Gatehouse E2E",
  OPERATOR_NAME: "Keyboard & Screen Testing Ltd",
  OPERATOR_EMAIL: "privacy@e2e-operator.example",
} as const;
