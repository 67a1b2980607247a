import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { createUser } from "../../../../test/factories/users";
import { consumeRecoveryCode, countRecoveryCodes, replaceRecoveryCodes } from "./recovery-codes";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

describe("recovery codes", () => {
  it("makes ten distinct codes, stored only as hashes", async () => {
    const ada = await createUser(db);
    const codes = await replaceRecoveryCodes(db, ada.id);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const stored = await db.selectFrom("recovery_code").select("code_hash").execute();
    const storedText = stored.map((row) => Buffer.from(row.code_hash).toString("latin1")).join("|");
    for (const code of codes) expect(storedText).not.toContain(code.replace("-", ""));
  });

  it("accepts each code once, however it is typed, and counts what is left", async () => {
    const ada = await createUser(db);
    const [first, second] = await replaceRecoveryCodes(db, ada.id);
    expect(await consumeRecoveryCode(db, ada.id, ` ${first!.toUpperCase()} `)).toEqual({ remaining: 9 });
    expect(await consumeRecoveryCode(db, ada.id, first!)).toBeNull();
    expect(await consumeRecoveryCode(db, ada.id, second!.replace("-", ""))).toEqual({ remaining: 8 });
    expect(await countRecoveryCodes(db, ada.id)).toBe(8);
  });

  it("spends a code once when two requests race with it", async () => {
    const ada = await createUser(db);
    const [code] = await replaceRecoveryCodes(db, ada.id);
    const results = await Promise.all([consumeRecoveryCode(db, ada.id, code!), consumeRecoveryCode(db, ada.id, code!)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("refuses another account's code, a malformed one, and every old code after regenerating", async () => {
    const ada = await createUser(db);
    const bob = await createUser(db, { email: "bob@example.com" });
    const [adaCode] = await replaceRecoveryCodes(db, ada.id);
    expect(await consumeRecoveryCode(db, bob.id, adaCode!)).toBeNull();
    expect(await consumeRecoveryCode(db, ada.id, "not-a-code!")).toBeNull();
    const old = await replaceRecoveryCodes(db, ada.id);
    await replaceRecoveryCodes(db, ada.id);
    for (const code of old) expect(await consumeRecoveryCode(db, ada.id, code)).toBeNull();
    expect(await countRecoveryCodes(db, ada.id)).toBe(10);
  });
});
