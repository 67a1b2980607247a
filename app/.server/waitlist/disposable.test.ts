import { describe, expect, it } from "vitest";
import { isDisposableDomain } from "./disposable";

describe("isDisposableDomain", () => {
  it("recognizes listed throwaway domains", () => {
    for (const email of ["bot@mailinator.com", "bot@guerrillamail.com", "bot@yopmail.com", "bot@10minutemail.com"]) {
      expect(isDisposableDomain(email), email).toBe(true);
    }
  });

  it("recognizes subdomains of a listed domain", () => {
    expect(isDisposableDomain("bot@x.mailinator.com")).toBe(true);
    expect(isDisposableDomain("bot@deep.er.yopmail.com")).toBe(true);
  });

  it("lets permanent providers and company domains through", () => {
    for (const email of ["ada@gmail.com", "ada@outlook.com", "ada@proton.me", "ada@example.org", "ada@company.example", "ada@gmail.co.uk"]) {
      expect(isDisposableDomain(email), email).toBe(false);
    }
  });

  it("matches whole labels only, not a listed name inside another domain", () => {
    expect(isDisposableDomain("ada@xmailinator.com")).toBe(false);
    expect(isDisposableDomain("ada@mailinator.com.example.org")).toBe(false);
  });

  it("looks only at the domain, after the last @", () => {
    expect(isDisposableDomain("mailinator.com@example.org")).toBe(false);
  });
});
