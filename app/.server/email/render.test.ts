import { describe, expect, it } from "vitest";
import { PREVIEW_BRAND } from "../../../emails/components/brand";
import { emailTemplates } from "../../../emails";
import { assertLinksArePublic, renderEmail } from "./render";

describe("email templates", () => {
  it("every template renders its preview props to HTML and plain text", async () => {
    for (const [name, template] of Object.entries(emailTemplates)) {
      const { brand: _brand, ...props } = template.preview;
      const email = await renderEmail(name as keyof typeof emailTemplates, props, PREVIEW_BRAND);
      expect(email.subject.length, name).toBeGreaterThan(0);
      expect(email.html, name).toContain("<html");
      expect(email.text, name).not.toContain("<");
      expect(email.text, name).toContain(PREVIEW_BRAND.productName);
    }
  });

  it("no template puts a secret in its subject: no code, no link, no token from any link", async () => {
    for (const [name, template] of Object.entries(emailTemplates)) {
      const { brand: _brand, ...props } = template.preview as Record<string, unknown>;
      const email = await renderEmail(name as keyof typeof emailTemplates, props as never, PREVIEW_BRAND);
      // What a template gets that works as a key: codes, and every link with what it carries.
      const secrets = Object.entries(props).flatMap(([key, value]) => {
        if (typeof value !== "string") return [];
        if (key === "code") return [value];
        if (!URL.canParse(value)) return [];
        const url = new URL(value);
        // Tokens are long random strings (32 characters); route words are not secrets.
        return [value, ...url.pathname.split("/").filter((segment) => segment.length >= 16), ...[...url.searchParams.values()].filter((v) => v.length >= 6)];
      });
      for (const secret of secrets) expect(email.subject, `${name}: ${secret}`).not.toContain(secret);
      expect(email.subject, name).not.toMatch(/\d{6,}|https?:/);
    }
  });

  it("dresses the message in the operator's brand: accent colour on the button, logo above", async () => {
    const brand = { ...PREVIEW_BRAND, accentColor: "#b4235a", accentTextColor: "#ffffff", logoUrl: "https://accounts.example.com/logo.svg" };
    const email = await renderEmail("password-reset", { resetUrl: "https://accounts.example.com/reset-password/abc", expiresInMinutes: 60 }, brand);
    expect(email.html).toContain("background-color:#b4235a");
    expect(email.html).toContain('src="https://accounts.example.com/logo.svg"');
  });

  it("escapes user-supplied text", async () => {
    const email = await renderEmail(
      "verify-email",
      { name: '<script>alert(1)</script> & "Ada"', code: "12345678", verifyUrl: "https://accounts.example.com/verify-email?code=1", expiresInMinutes: 30 },
      PREVIEW_BRAND,
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;");
    expect(email.text).toContain("Hi <script>alert(1)</script> & \"Ada\",");
  });

  it("puts the verification code and the link in both bodies, never in the subject", async () => {
    const email = await renderEmail("verify-email", { name: null, code: "87654321", verifyUrl: "https://accounts.example.com/verify-email?code=87654321", expiresInMinutes: 30 }, PREVIEW_BRAND);
    expect(email.subject).toBe("Your Gatehouse verification code");
    expect(email.text).toMatch(/^\s*87654321\s*$/m);
    expect(email.html).toContain('href="https://accounts.example.com/verify-email?code=87654321"');
    expect(email.text).toContain("https://accounts.example.com/verify-email?code=87654321");
  });

  it("refuses a message that links outside PUBLIC_URL", async () => {
    await expect(
      renderEmail("verify-email", { name: null, code: "1", verifyUrl: "https://evil.example/verify-email?code=1", expiresInMinutes: 30 }, PREVIEW_BRAND),
    ).rejects.toThrow(/links outside PUBLIC_URL/);
    expect(() => assertLinksArePublic('<a href="https://accounts.example.com.evil.example/x">', "https://accounts.example.com", "t")).toThrow();
    expect(() => assertLinksArePublic('<a href="mailto:help@example.com">', "https://accounts.example.com", "t")).not.toThrow();
  });
});
