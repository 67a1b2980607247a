// The README and docs/ are read from a fresh clone, alone: every link in them
// must lead to a file of this repository (or to the portal one runs locally),
// never to a sibling checkout, another site, or a file that is not there.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(".");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith(".md") ? [full] : [];
  });
}

const DOCUMENTS = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];

// The portal someone runs from this README, and the reserved example domains
// (RFC 2606/6761) that stand for "your own host", are not links elsewhere.
const LOCAL_OR_PLACEHOLDER = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\]|([\w-]+\.)*(example(\.com|\.org|\.net)?|test|invalid|localhost|internal))(:[\d$A-Z_]+)?(\/|$)/i;

type Reference = { file: string; line: number; target: string };

/** Fenced code blocks hold commands and samples, not links; code spans only count when they name a path. */
function references(file: string): { links: Reference[]; codePaths: Reference[] } {
  const links: Reference[] = [];
  const codePaths: Reference[] = [];
  let fenced = false;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, index) => {
      if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
      if (fenced) return;
      const line = index + 1;
      for (const [, span] of text.matchAll(/`([^`]+)`/g)) {
        if (/^\.{1,2}\//.test(span!) || /\.md$/.test(span!)) codePaths.push({ file, line, target: span! });
      }
      const prose = text.replace(/`[^`]*`/g, "");
      for (const [, target] of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line, target: target! });
      for (const [, target] of prose.matchAll(/<(https?:\/\/[^>\s]+)>/g)) links.push({ file, line, target: target! });
      for (const [target] of prose.replace(/<https?:\/\/[^>]+>|\]\([^)]*\)/g, "").matchAll(/\bhttps?:\/\/[^\s)>\]|"'`]+/g)) links.push({ file, line, target });
    });
  return { links, codePaths };
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of readFileSync(file, "utf8").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    anchors.add(heading!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  return anchors;
}

/** What is wrong with `reference`, or null when it leads somewhere in this repository. */
function problemWith({ file, target }: Reference): string | null {
  if (/^[a-z][a-z+.-]*:/i.test(target)) {
    if (/^https?:/i.test(target) && LOCAL_OR_PLACEHOLDER.test(target)) return null;
    return "leads outside the repository";
  }
  const [pathPart, anchor] = target.split("#") as [string, string | undefined];
  const resolved = pathPart ? path.resolve(path.dirname(file), decodeURIComponent(pathPart)) : file;
  if (resolved !== ROOT && !resolved.startsWith(ROOT + path.sep)) return "leads outside the repository";
  if (!existsSync(resolved)) return "names a file that does not exist";
  if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) return `has no heading for #${anchor}`;
  return null;
}

const describeAll = (list: Reference[]) =>
  list.map((ref) => ({ where: `${path.relative(ROOT, ref.file)}:${ref.line}`, target: ref.target, problem: problemWith(ref) })).filter((r) => r.problem !== null);

describe("links in the README and docs/", () => {
  it("finds the documents and their links", () => {
    expect(DOCUMENTS.map((file) => path.relative(ROOT, file))).toEqual(expect.arrayContaining(["README.md", "docs/design.md", "docs/style.md"]));
    const all = DOCUMENTS.flatMap((file) => references(file).links.map((ref) => ref.target));
    expect(all).toEqual(expect.arrayContaining(["docs/design.md", "docs/style.md", "docs/decisions/"]));
  });

  it("lead only to files of this repository, or to the portal on localhost", () => {
    expect(describeAll(DOCUMENTS.flatMap((file) => references(file).links))).toEqual([]);
  });

  it("name no file outside the repository, even as code", () => {
    const outside = DOCUMENTS.flatMap((file) => references(file).codePaths).filter((ref) => problemWith(ref) === "leads outside the repository");
    expect(describeAll(outside)).toEqual([]);
  });

  it("would catch the links that once pointed outside", () => {
    const readme = path.join(ROOT, "README.md");
    expect(problemWith({ file: readme, line: 1, target: "../shared/DESIGN.md" })).toBe("leads outside the repository");
    expect(problemWith({ file: readme, line: 1, target: "https://github.com/someone/elsewhere" })).toBe("leads outside the repository");
    expect(problemWith({ file: readme, line: 1, target: "docs/nowhere.md" })).toBe("names a file that does not exist");
    expect(problemWith({ file: readme, line: 1, target: "docs/design.md#no-such-heading" })).toBe("has no heading for #no-such-heading");
    expect(problemWith({ file: readme, line: 1, target: "http://localhost:3000" })).toBeNull();
  });
});
