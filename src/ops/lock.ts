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
  /** Siblings whose locked commit is on no remote-tracking branch (not pushed), in file order. */
  unpushed: UnpushedSibling[];
}

/** A sibling whose commit no remote-tracking branch holds. */
export interface UnpushedSibling {
  /** Its name. */
  name: string;
  /** Its directory. */
  path: string;
  /** The commit. */
  commit: string;
  /** The branch checked out, or null when HEAD is detached. */
  branch: string | null;
}

/** Options for {@link lockWorkspace}. */
export interface LockOptions {
  /** Cancels. */
  signal?: AbortSignal;
  /** Refuse (and write nothing) when a commit is on no remote-tracking branch. */
  requirePushed?: boolean;
}

/** The one-line fix for an unpushed sibling. */
export function pushHint(u: UnpushedSibling): string {
  return u.branch
    ? `git -C ${u.path} push -u origin ${u.branch}`
    : `git -C ${u.path} push origin ${u.commit}:refs/heads/<branch>`;
}

/**
 * Lock every sibling at its HEAD.
 *
 * @throws {WrknvError} naming the missing siblings, when any is missing or has no commit
 */
export async function lockWorkspace(
  ws: Workspace,
  options: LockOptions = {},
): Promise<LockResult> {
  await using _lock = await acquireRunLock(ws, "lock");
  const rows = await pool(ws.siblings, async (s) => {
    if (!(await git.isRepo(s.path))) return { name: s.name, missing: true as const };
    const [commit, dirty, branch] = await Promise.all([
      git.headCommit(s.path, { signal: options.signal }),
      git.isDirty(s.path, { signal: options.signal, untracked: false }),
      git.currentBranch(s.path, { signal: options.signal }),
    ]);
    const pushed = commit === null ||
      (await git.remoteBranchesContaining(s.path, commit, { signal: options.signal })).length > 0;
    return { name: s.name, repo: s.repo, commit, dirty, branch, pushed, missing: false as const };
  }, { limit: 8, signal: options.signal });
  const missing: string[] = [];
  const noCommit: string[] = [];
  const entries: LockEntry[] = [];
  const dirty: string[] = [];
  const unpushed: UnpushedSibling[] = [];
  for (const [i, r] of rows.entries()) {
    if (r.status === "rejected") throw r.reason;
    const v = r.value;
    if (v.missing) missing.push(v.name);
    else if (!v.commit) noCommit.push(v.name);
    else {
      entries.push({ name: v.name, repo: v.repo, commit: v.commit });
      if (v.dirty) dirty.push(ws.siblings[i].name);
      if (!v.pushed) {
        unpushed.push({
          name: v.name,
          path: ws.siblings[i].path,
          commit: v.commit,
          branch: v.branch,
        });
      }
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
  if (options.requirePushed && unpushed.length) {
    const [first] = unpushed;
    throw new WrknvError(
      `cannot lock: ${unpushed.map((u) => `${u.name} (${u.commit.slice(0, 12)})`).join(", ")} ${
        unpushed.length > 1 ? "are" : "is"
      } on no remote-tracking branch, so a teammate's bootstrap --locked could not fetch ${
        unpushed.length > 1 ? "them" : "it"
      }; wrknv.lock is unchanged`,
      {
        hint: `push first: ${pushHint(first)}${
          unpushed.length > 1
            ? ` (and the same for ${unpushed.slice(1).map((u) => u.name).join(", ")})`
            : ""
        }`,
      },
    );
  }
  await writeLock(ws, entries);
  return { entries, dirty, unpushed };
}
