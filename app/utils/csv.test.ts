import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";

describe("csvCell", () => {
  it("quotes every cell and doubles quotes inside it", () => {
    expect(csvCell("Ada")).toBe('"Ada"');
    expect(csvCell('Ada "the Countess" Lovelace')).toBe('"Ada ""the Countess"" Lovelace"');
    expect(csvCell("a,b\nc")).toBe('"a,b\nc"');
  });

  it("escapes cells a spreadsheet would run as a formula with a leading quote", () => {
    expect(csvCell("=HYPERLINK(\"http://evil.example\",\"x\")")).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csvCell("+1+1")).toBe(`"'+1+1"`);
    expect(csvCell("-2+3")).toBe(`"'-2+3"`);
    expect(csvCell("@SUM(A1:A2)")).toBe(`"'@SUM(A1:A2)"`);
    expect(csvCell("\t=1+1")).toBe(`"'\t=1+1"`);
    expect(csvCell("\r=1+1")).toBe(`"'\r=1+1"`);
  });

  it("leaves formula characters alone when they are not first", () => {
    expect(csvCell("ada+news@example.com")).toBe('"ada+news@example.com"');
    expect(csvCell("a=b")).toBe('"a=b"');
  });

  it("writes dates as ISO 8601 and null or undefined as an empty cell", () => {
    expect(csvCell(new Date("2026-11-22T12:34:56.789Z"))).toBe('"2026-11-22T12:34:56.789Z"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
  });
});

describe("toCsv", () => {
  it("writes a header and one CRLF-terminated line per row", () => {
    const csv = toCsv(["email", "name", "joined"], [
      ["ada@example.com", "=cmd|' /C calc'!A0", new Date("2026-11-22T12:00:00Z")],
      ["bob@example.com", null, null],
    ]);
    expect(csv).toBe(
      '"email","name","joined"\r\n' +
        '"ada@example.com","\'=cmd|\' /C calc\'!A0","2026-11-22T12:00:00.000Z"\r\n' +
        '"bob@example.com","",""\r\n',
    );
  });
});
