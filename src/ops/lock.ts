/**
 * `wrknv lock`: write wrknv.lock with every sibling's HEAD commit.
 *
 * @module
 */
import { WrknvError } from "../errors.ts";
import type { Workspace } from "../config/types.ts";
import { type LockEntry, writeLock } from "../config/lock.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import { acquireRunLock } from "./run_lock.ts";

/** What `wrknv lock` wrote. */
export interface LockResult {
  /** The entries, in file order. */
  entries: LockEntry[];
  /** Siblings with uncommitted changes (their HEAD was locked; the changes are not in it). */
  dirty: string[];
}

/**
 * Lock every sibling at its HEAD.
 *
 * @throws {WrknvError} naming the missing siblings, when any is missing or has no commit
 */
export async function lockWorkspace(
  ws: Workspace,
  options: { signal?: AbortSignal } = {},
): Promise<LockResult> {
  await using _lock = await acquireRunLock(ws, "lock");
  const rows = await pool(ws.siblings, async (s) => {
    if (!(await git.isRepo(s.path))) return { name: s.name, missing: true as const };
    const [commit, dirty] = await Promise.all([
      git.headCommit(s.path, { signal: options.signal }),
      git.isDirty(s.path, { signal: options.signal, untracked: false }),
    ]);
    return { name: s.name, repo: s.repo, commit, dirty, missing: false as const };
  }, { limit: 8, signal: options.signal });
  const missing: string[] = [];
  const noCommit: string[] = [];
  const entries: LockEntry[] = [];
  const dirty: string[] = [];
  for (const [i, r] of rows.entries()) {
    if (r.status === "rejected") throw r.reason;
    const v = r.value;
    if (v.missing) missing.push(v.name);
    else if (!v.commit) noCommit.push(v.name);
    else {
      entries.push({ name: v.name, repo: v.repo, commit: v.commit });
      if (v.dirty) dirty.push(ws.siblings[i].name);
    }
  }
  if (missing.length) {
    throw new WrknvError(
      `cannot lock: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not cloned`,
      {
        hint: "run `wrknv bootstrap` first",
      },
    );
  }
  if (noCommit.length) {
    throw new WrknvError(`cannot lock: ${noCommit.join(", ")} has no commit yet`);
  }
  await writeLock(ws, entries);
  return { entries, dirty };
}
