import { dictionary } from "@zxcvbn-ts/language-common";
import { describe, expect, it } from "vitest";
import {
  checkPasswordPolicy,
  createPasswordHasher,
  hashPassword,
  PasswordHasherBusyError,
  verifyAgainstDummy,
  verifyPassword,
} from "./password";

describe("hashPassword and verifyPassword", () => {
  it("hashes with argon2id m=19456 t=2 p=1 and verifies the same password", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
  });

  it("refuses a wrong password", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
  });

  it("round-trips a long Unicode password without truncating it", async () => {
    const long = "пароль-密码-🔐".repeat(20); // 240 code points, well over 72 bytes
    const hash = await hashPassword(long);
    expect(await verifyPassword(hash, long)).toBe(true);
    expect(await verifyPassword(hash, long.slice(0, -2))).toBe(false);
  });

  it("salts each hash, so the same password hashes differently", async () => {
    expect(await hashPassword("same password here")).not.toBe(await hashPassword("same password here"));
  });
});

describe("verifyAgainstDummy", () => {
  it("always answers false, whatever the password", async () => {
    expect(await verifyAgainstDummy("anything at all")).toBe(false);
    expect(await verifyAgainstDummy("")).toBe(false);
  });
});

describe("createPasswordHasher", () => {
  it("runs at most `concurrency` at once and rejects beyond the queue limit", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueLimit: 2 });
    const seen: Array<{ running: number; waiting: number }> = [];
    const ops = [1, 2, 3, 4].map((i) => hasher.hash(`password number ${i}`).finally(() => seen.push(hasher.stats())));
    seen.push(hasher.stats());
    const results = await Promise.allSettled(ops);

    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(PasswordHasherBusyError);
    expect(seen[0]).toEqual({ running: 1, waiting: 2 });
    expect(seen.every((s) => s.running <= 1)).toBe(true);
    expect(hasher.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it("serves waiting operations in arrival order", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueLimit: 5 });
    const hash = await hasher.hash("order matters here");
    const finished: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => hasher.verify(hash, "order matters here").then(() => finished.push(i))));
    expect(finished).toEqual([1, 2, 3, 4]);
  });

  it("frees the slot when an operation fails", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queueLimit: 0 });
    await expect(hasher.verify("not an argon2 hash", "whatever1")).rejects.toThrow();
    expect(hasher.stats()).toEqual({ running: 0, waiting: 0 });
    expect(await hasher.verify(await hasher.hash("still works fine"), "still works fine")).toBe(true);
  });
});

describe("checkPasswordPolicy", () => {
  const context = { email: "ada.lovelace@example.com", name: "Ada Lovelace" };

  it("accepts a reasonable password", () => {
    expect(checkPasswordPolicy("tidy-otter-kettle-42", context)).toBeNull();
  });

  it("counts code points: 8 emoji are 8 characters, 7 are too few", () => {
    expect(checkPasswordPolicy("🦊🐙🦉🐢🦔🦦🐝🦩", context)).toBeNull();
    expect(checkPasswordPolicy("🦊🐙🦉🐢🦔🦦🐝", context)).toBe("Use at least 8 characters.");
  });

  it("accepts 256 characters and refuses 257, naming the maximum", () => {
    expect(checkPasswordPolicy("x7".repeat(128), context)).toBeNull();
    expect(checkPasswordPolicy("x7".repeat(128) + "y", context)).toBe("Use at most 256 characters.");
    expect(checkPasswordPolicy("🔐".repeat(256), context)).toBeNull(); // 512 UTF-16 units
  });

  it("refuses passwords from the common list, whatever their case", () => {
    const common = dictionary["passwords-common"];
    for (const password of ["password123", "qwerty123", "iloveyou", "sunshine"]) expect(common).toContain(password);

    const message = "This password is too common: choose one that is harder to guess.";
    expect(checkPasswordPolicy("password123", context)).toBe(message);
    expect(checkPasswordPolicy("Password123", context)).toBe(message);
    expect(checkPasswordPolicy("QWERTY123", context)).toBe(message);
  });

  it("refuses the email address or its local part", () => {
    const message = "Don't use your email address as your password.";
    expect(checkPasswordPolicy("Ada.Lovelace@Example.com", context)).toBe(message);
    expect(checkPasswordPolicy("ada.lovelace", context)).toBe(message);
    expect(checkPasswordPolicy("ada.lovelac", { email: "ada.lovelace" })).toBeNull();
  });

  it("refuses the user's name", () => {
    expect(checkPasswordPolicy("ada lovelace", context)).toBe("Don't use your name as your password.");
    expect(checkPasswordPolicy("ada lovelace", { name: null })).toBeNull();
  });
});

describe("password normalisation", () => {
  it("accepts the same password typed with composed or decomposed accents", async () => {
    const hash = await hashPassword("caf\u00e9 au lait noir");
    expect(await verifyPassword(hash, "cafe\u0301 au lait noir")).toBe(true);
  });
});
