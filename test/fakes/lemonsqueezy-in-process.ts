// For a Vitest file whose code calls LemonSqueezy from this process: the fake
// API starts before the file's tests, this process's fetch is sent to it, and
// it forgets every request and subscription before each test. (Apart from
// lemonsqueezy.ts, which the bench also loads outside Vitest.)
import { afterAll, beforeAll, beforeEach } from "vitest";
import { FakeLemonSqueezy, interceptLemonSqueezy } from "./lemonsqueezy";

export function fakeLemonSqueezyForThisFile(): FakeLemonSqueezy {
  const fake = new FakeLemonSqueezy();
  let restoreFetch = () => {};
  beforeAll(async () => {
    restoreFetch = interceptLemonSqueezy(await fake.start());
  });
  afterAll(async () => {
    restoreFetch();
    await fake.stop();
  });
  beforeEach(() => fake.reset());
  return fake;
}
