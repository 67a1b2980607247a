import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { claimFormToken, deleteOldFormTokens, formTokenField, newFormToken, recordFormResult, releaseFormToken } from "./one-time-form";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

let ada: TestUser, bob: TestUser;
beforeEach(async () => {
  ada = await createUser(db);
  bob = await createUser(db, { email: "bob@example.com" });
});

describe("one-time form tokens", () => {
  it("lets the first POST of a render through and stops the second, telling it what the first made", async () => {
    const token = newFormToken();
    expect(await claimFormToken(db, { token, userId: ada.id, purpose: "api-key" })).toEqual({ claimed: true });
    await recordFormResult(db, token, "CI deploys");
    expect(await claimFormToken(db, { token, userId: ada.id, purpose: "api-key" })).toEqual({ claimed: false, result: "CI deploys" });
  });

  it("lets only one of many simultaneous POSTs of the same render through", async () => {
    const token = newFormToken();
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimFormToken(db, { token, userId: ada.id, purpose: "org" })));
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  });

  it("tells another user nothing about a token they did not claim", async () => {
    const token = newFormToken();
    await claimFormToken(db, { token, userId: ada.id, purpose: "org" });
    await recordFormResult(db, token, "acme");
    expect(await claimFormToken(db, { token, userId: bob.id, purpose: "org" })).toEqual({ claimed: false, result: null });
  });

  it("gives a token back when its POST created nothing, but never once it did", async () => {
    const token = newFormToken();
    await claimFormToken(db, { token, userId: ada.id, purpose: "org" });
    await releaseFormToken(db, token);
    expect(await claimFormToken(db, { token, userId: ada.id, purpose: "org" })).toEqual({ claimed: true });
    await recordFormResult(db, token, "acme");
    await releaseFormToken(db, token);
    expect((await claimFormToken(db, { token, userId: ada.id, purpose: "org" })).claimed).toBe(false);
  });

  it("forgets tokens after a day", async () => {
    const token = newFormToken();
    await claimFormToken(db, { token, userId: ada.id, purpose: "org" });
    expect(await deleteOldFormTokens(db, new Date(Date.now() + 23 * 3600_000))).toBe(0);
    expect(await deleteOldFormTokens(db, new Date(Date.now() + 25 * 3600_000))).toBe(1);
  });

  it("accepts only well-formed tokens in the form field", () => {
    expect(formTokenField.safeParse(newFormToken()).success).toBe(true);
    expect(formTokenField.safeParse("").success).toBe(false);
    expect(formTokenField.safeParse("x'; drop table user; --").success).toBe(false);
  });
});
