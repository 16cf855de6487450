/**
 * meta's `.meta` (JSON):
 *
 * ```json
 * { "projects": { "services/api": "git@github.com:org/api.git" }, "ignore": [] }
 * ```
 *
 * Keys are paths relative to the `.meta` file; values are clone URLs.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import {
  checkPath,
  checkUrl,
  type Context,
  describeWhere,
  fail,
  isMapping,
  keyLabel,
  lastComponent,
  safeName,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";

/** The 1-based line and column of a character offset. */
function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, col: offset - before.lastIndexOf("\n") };
}

/** The line of `"key":` when it occurs exactly once in the text. */
function lineOfKey(text: string, key: string): number | undefined {
  const needle = JSON.stringify(key);
  const first = text.indexOf(needle);
  if (first === -1 || text.indexOf(needle, first + 1) !== -1) return undefined;
  return position(text, first).line;
}

/** Siblings from a meta `.meta` file. */
export function parseMeta(ctx: Context, text: string): ImportedSibling[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const pos = at ? position(text, Number(at[1])) : undefined;
    const what = message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+.*$/, "");
    throw new ConfigError(
      `${ctx.file}${pos ? `:${pos.line}:${pos.col}` : ""}: not valid JSON: ${what}`,
    );
  }
  const projects = isMapping(doc) ? doc.projects : undefined;
  if (!isMapping(projects)) fail(ctx, {}, 'expected "projects": {"path": "url", ...}');
  const out: ImportedSibling[] = [];
  for (const [path, url] of Object.entries(projects)) {
    const where = { label: keyLabel(["projects", path]), line: lineOfKey(text, path) };
    if (typeof url !== "string" || url === "") fail(ctx, where, "expected a URL string");
    const repo = checkUrl(ctx, where, url);
    if (repo === undefined) continue;
    const checked = checkPath(ctx, where, path);
    if (checked === undefined) fail(ctx, where, "an empty path");
    out.push({
      name: safeName(ctx, where, lastComponent(checked)),
      repo,
      path: checked,
      at: describeWhere(ctx, where),
    });
  }
  return out;
}
