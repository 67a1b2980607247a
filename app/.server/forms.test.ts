import { describe, expect, it } from "vitest";
import { z } from "zod";
import { newPassword, OUT_OF_DATE, readForm } from "./forms";

const post = (fields: Record<string, string>) =>
  new Request("http://localhost/", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });

// zod's own wording, meant for developers.
const LIBRARY_WORDING = /expected|received|too (big|small)|invalid (input|option|type|uuid)|[<>]=|zod/i;

describe("readForm's messages", () => {
  it("reports every field at once, one message each, in plain words naming the field", async () => {
    const schema = z.object({
      company: z.string().max(20),
      nickname: z.string().min(3),
      firstName: z.string().min(1),
      colour: z.enum(["red", "blue"]),
      homePage: z.url(),
      email: z.string().regex(/@/, "Enter a valid email address."),
    });
    const form = await readForm(post({ company: "C".repeat(30), nickname: "ab", firstName: "", colour: "green", homePage: "nope", email: "x" }), schema);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.fieldErrors).toEqual({
      company: "Company must be at most 20 characters.",
      nickname: "Nickname must be at least 3 characters.",
      firstName: "First name is required.",
      colour: "Choose one of the options for colour.",
      homePage: "Home page is not valid.",
      email: "Enter a valid email address.",
    });
    for (const message of Object.values(form.fieldErrors)) expect(message).not.toMatch(LIBRARY_WORDING);
    expect(form.formError).toBeUndefined();
  });

  it("says a missing field is required", async () => {
    const form = await readForm(post({}), z.object({ title: z.string() }));
    expect(!form.ok && form.fieldErrors).toEqual({ title: "Title is required." });
  });

  it("turns a problem with a field the page does not show into the form's message", async () => {
    const schema = z.object({ intent: z.literal("save"), userId: z.uuid(), name: z.string().max(5) });
    const form = await readForm(post({ intent: "drop", userId: "1", name: "toolong" }), schema);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.formError).toBe(OUT_OF_DATE);
    expect(form.fieldErrors).toEqual({ name: "Name must be at most 5 characters." });
  });

  it("checks a new password in the schema, beside the other fields", async () => {
    const schema = z.object({ email: z.string().regex(/@/, "Enter a valid email address."), password: newPassword("Choose a password.") });
    const short = await readForm(post({ email: "x", password: "short" }), schema);
    expect(!short.ok && short.fieldErrors).toEqual({ email: "Enter a valid email address.", password: "Use at least 8 characters." });
    const common = await readForm(post({ email: "x", password: "password" }), schema);
    expect(!common.ok && common.fieldErrors.password).toBe("This password is too common: choose one that is harder to guess.");
    const missing = await readForm(post({ email: "a@b" }), schema);
    expect(!missing.ok && missing.fieldErrors).toEqual({ password: "Choose a password." });
  });
});
