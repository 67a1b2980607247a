import { describe, expect, it } from "vitest";
import { EmailSchema, normalizeEmail } from "./email-address";

const INVALID = "Enter a valid email address, like name@example.com.";
const INVISIBLE = "The email address contains invisible characters.";

const emailOf = (input: string) => {
  const result = normalizeEmail(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted: ${result.message}`);
  return result.email;
};

describe("normalizeEmail", () => {
  it("maps case variants and surrounding spaces to one address", () => {
    const variants = ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com", "  ada@example.com\n"];
    expect(new Set(variants.map(emailOf))).toEqual(new Set(["ada@example.com"]));
  });

  it("keeps +tags, only lowercased", () => {
    expect(emailOf("Ada+news@Example.COM")).toBe("ada+news@example.com");
  });

  it("converts an internationalized domain to punycode", () => {
    expect(emailOf("user@bücher.example")).toBe("user@xn--bcher-kva.example");
    expect(emailOf("User@BÜCHER.example")).toBe("user@xn--bcher-kva.example");
    expect(emailOf("info@пример.рф")).toBe("info@xn--e1afmkfd.xn--p1ai");
  });

  it("normalizes full-width input to ASCII", () => {
    expect(emailOf("ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ")).toBe("ada@example.com");
  });

  it("refuses zero-width, bidi and other invisible characters", () => {
    for (const input of [
      "ad\u200Ba@example.com",
      "ada@exa\u200Cmple.com",
      "ada\u200D@example.com",
      "ada@example\u2060.com",
      "a\uFEFFda@example.com",
      "ad\u00ADa@example.com",
      "\u202Emoc.elpmaxe@ada",
      "ada@\u2066example.com",
      "ada\u0007@example.com",
    ]) {
      expect(normalizeEmail(input), JSON.stringify(input)).toEqual({ ok: false, message: INVISIBLE });
    }
  });

  it("asks for an address when given nothing", () => {
    expect(normalizeEmail("   ")).toEqual({ ok: false, message: "Enter an email address." });
  });

  it("refuses malformed addresses", () => {
    for (const input of [
      "a@b",
      "@x.com",
      "a@",
      "a@@x.com",
      "a@b@x.com",
      "a b@x.com",
      ".a@x.com",
      "a.@x.com",
      "a..b@x.com",
      "a@x..com",
      "a@-x.com",
      "a@x_y.com",
      "a@x.c",
      "a@x.123",
      "a@1.2.3.4",
      "a@[127.0.0.1]",
      "a@x.com/path",
      "a@x.com:25",
      "a@x.%63om",
      "a@x.com.",
      '"a b"@x.com',
      "plainaddress",
    ]) {
      expect(normalizeEmail(input), JSON.stringify(input)).toEqual({ ok: false, message: INVALID });
    }
  });

  it("refuses a 65-character local part and a 255-character address, accepts 254", () => {
    expect(normalizeEmail(`${"a".repeat(65)}@example.com`).ok).toBe(false);
    const domainOf = (length: number) => `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.${"g".repeat(length - 187)}.com`;
    const at254 = `${"a".repeat(64)}@${domainOf(189)}`;
    const at255 = `${"a".repeat(64)}@${domainOf(190)}`;
    expect([at254.length, at255.length]).toEqual([254, 255]);
    expect(emailOf(at254)).toBe(at254);
    expect(normalizeEmail(at255)).toEqual({ ok: false, message: "This email address is too long." });
  });
});

describe("EmailSchema", () => {
  it("outputs the normalized address", () => {
    expect(EmailSchema.parse("  Ada@Example.COM ")).toBe("ada@example.com");
  });

  it("fails with the user-facing message", () => {
    const result = EmailSchema.safeParse("a@b");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([INVALID]);
  });

  it("asks for an address when the field is missing", () => {
    expect(EmailSchema.safeParse(undefined).error?.issues[0]?.message).toBe("Enter an email address.");
  });
});
