/**
 * `wrknv grep PATTERN [-- PATHSPEC...]`: `git grep` in every sibling at once,
 * each sibling's matches kept together.
 *
 * @module
 */
import { join } from "node:path";
import type { Workspace } from "../config/types.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import { type Selection, selectSiblings } from "./select.ts";

/** One sibling's search. */
export interface GrepResult {
  /** Sibling name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** `matched`, `none`, `missing` (not cloned) or `failed` (git refused: a bad pattern). */
  status: "matched" | "none" | "missing" | "failed";
  /** The matching lines, in git's order. */
  matches: git.GrepMatch[];
  /** git's message, when it failed. */
  error?: string;
}

/** Options for {@link grepAll}. */
export interface GrepAllOptions extends Omit<git.GrepOptions, "timeoutMs"> {
  /** Which siblings. */
  selection?: Selection;
  /** Searches at once (default 8). */
  jobs?: number;
}

/** Search every selected sibling's tracked files; results in selection order. */
export async function grepAll(
  ws: Workspace,
  pattern: string,
  options: GrepAllOptions = {},
): Promise<GrepResult[]> {
  const siblings = selectSiblings(ws, options.selection);
  const settled = await pool(siblings, async (s): Promise<GrepResult> => {
    const base = { name: s.name, path: s.path, matches: [] };
    try {
      await Deno.lstat(join(s.path, ".git"));
    } catch {
      return { ...base, status: "missing", error: "not cloned" };
    }
    try {
      const matches = await git.grep(s.path, pattern, options);
      return { ...base, status: matches.length ? "matched" : "none", matches };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const message = error instanceof git.GitError
        ? (git.lastErrorLine(error.stderr) ?? error.message)
        : (error as Error).message;
      return { ...base, status: "failed", error: message };
    }
  }, { limit: options.jobs ?? 8, signal: options.signal });
  return settled.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}
