/**
 * `wrknv status`: one `git status --porcelain=v2 --branch` per sibling, in parallel.
 *
 * @module
 */
import type { Sibling, Workspace } from "../config/types.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import { type Selection, selectSiblings } from "./select.ts";

/** One sibling's state: its working tree's (zeros and nulls when it is not there), and where it is. */
export interface SiblingStatus extends git.GitStatus {
  /** Sibling name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** The path holds a git repository. */
  present: boolean;
  /** A fetch or status that failed. */
  error?: string;
}

/** Options for {@link workspaceStatus}. */
export interface StatusOptions {
  /** Which siblings. */
  selection?: Selection;
  /** Fetch first. */
  fetch?: boolean;
  /** At once. */
  jobs?: number;
  /** Cancels. */
  signal?: AbortSignal;
}

/** The state of a sibling that is not there. */
function absent(name: string, path: string): SiblingStatus {
  return { name, path, present: false, ...git.emptyStatus() };
}

/** The default parallelism of local git commands. */
export const LOCAL_JOBS = 8;

/** The status of every selected sibling, in file order. */
export async function workspaceStatus(
  ws: Workspace,
  options: StatusOptions = {},
): Promise<SiblingStatus[]> {
  const siblings = selectSiblings(ws, options.selection);
  if (!options.fetch) return await localStatus(siblings, options);
  const results = await pool(siblings, async (s): Promise<SiblingStatus> => {
    const empty = absent(s.name, s.path);
    if (!hasGit(s.path)) return empty;
    let error: string | undefined;
    try {
      await git.fetch(s.path, { signal: options.signal, timeoutMs: 120_000 });
    } catch (e) {
      error = git.describeFailure(e);
    }
    try {
      const st = await git.status(s.path, { signal: options.signal });
      return { ...empty, ...st, present: true, ...(error ? { error } : {}) };
    } catch (e) {
      return { ...empty, present: true, error: git.describeFailure(e) };
    }
  }, { limit: options.jobs ?? 8, signal: options.signal });
  return results.map((r, i) =>
    r.status === "fulfilled"
      ? r.value
      : { ...absent(siblings[i].name, siblings[i].path), error: (r.reason as Error).message }
  );
}

/** True when `path` holds a `.git` (synchronous: microseconds, where an asynchronous call waits). */
function hasGit(path: string): boolean {
  try {
    Deno.lstatSync(`${path}/.git`);
    return true;
  } catch {
    return false;
  }
}

/** Without a fetch: one git status per present sibling, started a few shells at a time. */
async function localStatus(
  siblings: readonly Sibling[],
  options: StatusOptions,
): Promise<SiblingStatus[]> {
  const present = siblings.filter((s) => hasGit(s.path));
  const found = await git.statusEach(present.map((s) => s.path), {
    jobs: options.jobs ?? LOCAL_JOBS,
    signal: options.signal,
  });
  const of = new Map(present.map((s, i) => [s, found[i]]));
  return siblings.map((s) => {
    const empty = absent(s.name, s.path);
    const st = of.get(s);
    if (st === undefined) return empty;
    return st instanceof Error
      ? { ...empty, present: true, error: git.describeFailure(st) }
      : { ...empty, ...st, present: true };
  });
}
