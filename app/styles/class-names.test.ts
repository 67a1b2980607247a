// Every class name the markup uses is one the stylesheets define. The sign-in
// pages once ran on class names kept from before the design system (.panel,
// .form-message, .field-error...); those rules are gone, so markup that still
// used them, or a branch written against them, would render unstyled without
// a word. This catches it, and any misspelt class, before a browser does.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const APP = join(import.meta.dirname, "..");

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(suffix) && !name.includes("node_modules"))
    .map((name) => join(dir, name));
}

function definedClasses(): Set<string> {
  const defined = new Set<string>();
  for (const file of filesUnder(join(APP, "styles"), ".css")) {
    const css = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/url\([^)]*\)/g, "");
    for (const match of css.matchAll(/\.(-?[A-Za-z_][\w-]*)/g)) defined.add(match[1]!);
  }
  return defined;
}

/** Class names written out in className="..." and in the fixed parts of className={`...`}. */
function usedClasses(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of filesUnder(APP, ".tsx")) {
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/className=(?:"([^"]*)"|\{`([^`]*)`\})/g)) {
      // A name glued to an interpolation (`alert--${tone}`) is only half written here: left out.
      const text = match[1] ?? match[2]!.replace(/\S*\$\{[^}]*\}\S*/g, " ");
      for (const name of text.split(/\s+/).filter(Boolean)) if (!used.has(name)) used.set(name, file.slice(APP.length + 1));
    }
  }
  return used;
}

describe("class names", () => {
  it("every class the markup uses is defined in app/styles", () => {
    const defined = definedClasses();
    const undefinedNames = [...usedClasses()].filter(([name]) => !defined.has(name)).map(([name, file]) => `.${name} (${file})`);
    expect(undefinedNames, "use a component from app/components, or add the rule to app/styles/components.css").toEqual([]);
  });

  it("the names retired with the compatibility block stay retired", () => {
    const defined = definedClasses();
    for (const retired of ["panel", "form-message", "field-error", "hint", "toolbar", "inline-form", "wide", "auth-page"]) expect(defined.has(retired), `.${retired}`).toBe(false);
  });
});
