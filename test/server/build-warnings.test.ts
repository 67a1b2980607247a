// `npm run build` prints nothing a user has to wonder about. Rollup warns
// "Generated an empty chunk" for every route that has no browser code (CSV and
// JSON exports, webhooks, logout); those chunks are empty by design.
import type { RollupLog } from "rollup";
import { describe, expect, it } from "vitest";
import config from "../../vite.config";

const onwarn = config.build?.rollupOptions?.onwarn;

describe("the client build's warnings", () => {
  it("drops the empty-chunk warning of server-only routes", () => {
    const shown: RollupLog[] = [];
    expect(onwarn).toBeTypeOf("function");
    onwarn!({ code: "EMPTY_BUNDLE", message: 'Generated an empty chunk: "logout".' }, (warning) => shown.push(warning as RollupLog));
    expect(shown).toEqual([]);
  });

  it("still shows every other warning", () => {
    const shown: unknown[] = [];
    const circular = { code: "CIRCULAR_DEPENDENCY", message: "Circular dependency: a.ts -> b.ts -> a.ts" };
    onwarn!(circular, (warning) => shown.push(warning));
    expect(shown).toEqual([circular]);
  });
});
