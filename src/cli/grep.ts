/**
 * `wrknv grep PATTERN [-- PATHSPEC...]`.
 *
 * @module
 */
import { relative } from "node:path";
import { ConfigError, ExitCode, type ExitStatus } from "../errors.ts";
import { affectedAmong, type AffectedFlags } from "./affected.ts";
import type { Context } from "./context.ts";
import { type SelectionFlags, selectionOf } from "./options.ts";

/** Flags of `wrknv grep`. */
export type GrepFlags = SelectionFlags & AffectedFlags & {
  ignoreCase?: boolean;
  wordRegexp?: boolean;
  fixedStrings?: boolean;
  extendedRegexp?: boolean;
  filesWithMatches?: boolean;
  jobs?: number;
};

// A matched line is the file's text: terminal control sequences in it are shown, not obeyed.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f\x9b]/g;
const shown = (text: string) => text.replace(CONTROL, (c) => JSON.stringify(c).slice(1, -1));

/** Run `wrknv grep`: exit 0 on a match, 1 on none, 2 when git refused (a bad pattern). */
export async function grepCommand(
  ctx: Context,
  flags: GrepFlags,
  pattern: string,
  pathspec: string[],
): Promise<ExitStatus> {
  if (pattern === "") throw new ConfigError("grep: the pattern is empty");
  const ws = await ctx.workspace();
  const among = await affectedAmong(ctx, ws, flags);
  const { grepAll } = await import("../ops/grep.ts");
  const results = await grepAll(ws, pattern, {
    selection: { ...selectionOf(flags), among },
    pathspec,
    ignoreCase: flags.ignoreCase,
    word: flags.wordRegexp,
    fixed: flags.fixedStrings,
    extended: flags.extendedRegexp,
    jobs: flags.jobs,
    signal: ctx.signal,
  });
  const matched = results.filter((r) => r.status === "matched");
  const failed = results.filter((r) => r.status === "failed");
  // As grep: 0 with a match, 1 with none, 2 when it could not search (a bad pattern).
  const code = failed.length ? ExitCode.usage : matched.length ? ExitCode.ok : ExitCode.failed;
  if (
    ctx.printer.json(() => ({
      matches: matched.reduce((n, r) => n + r.matches.length, 0),
      siblings: results.map(({ name, status, matches, error }) => ({
        name,
        status,
        matches,
        ...(error ? { error } : {}),
      })),
    }))
  ) return code;
  const s = ctx.style;
  for (const r of matched) {
    let block = `${s.bold(r.name)} ${s.dim(relative(ctx.cwd, r.path) || ".")}\n`;
    if (flags.filesWithMatches) {
      for (const file of new Set(r.matches.map((m) => m.file))) {
        block += `  ${s.cyan(shown(file))}\n`;
      }
    } else {
      for (const m of r.matches) {
        block += `  ${s.cyan(shown(m.file))}${s.dim(":")}${s.green(String(m.line))}${s.dim(":")}${
          shown(m.text)
        }\n`;
      }
    }
    ctx.printer.result(block);
  }
  // One line per distinct failure: a bad pattern fails the same way everywhere.
  const messages = new Map<string, string[]>();
  for (const r of failed) messages.set(r.error!, [...(messages.get(r.error!) ?? []), r.name]);
  for (const [message, names] of messages) {
    ctx.printer.warn(
      ctx.errStyle.red(
        `error: ${names.length === results.length ? "" : `${names.join(", ")}: `}${message}\n`,
      ),
    );
  }
  if (!failed.length) {
    const n = matched.reduce((n, r) => n + r.matches.length, 0);
    ctx.printer.note(ctx.errStyle.dim(
      n
        ? `${n} ${
          n === 1 ? "match" : "matches"
        } in ${matched.length} of ${results.length} siblings\n`
        : `no match in ${results.length} siblings\n`,
    ));
  }
  return code;
}
