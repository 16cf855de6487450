/**
 * Feature branches across siblings: `wrknv branch NAME` makes and checks out
 * a branch in the selected siblings, `wrknv switch NAME` checks it out in
 * every sibling that has it. A sibling with local changes (staged, unstaged
 * or conflicted; untracked files are left where they are, and git refuses
 * to overwrite one) is never moved: it is refused, and reported.
 *
 * The feature branch, the one `wrknv branch` last made, is remembered in
 * `.wrknv/branch.json` so that `status` can show which siblings are on it;
 * switching to a branch wrknv did not make (back to `main`) forgets it.
 *
 * @module
 */
import { join } from "node:path";
import type { Sibling, Workspace } from "../config/types.ts";
import { writeFileAtomic } from "../config/atomic.ts";
import { ensureStateDir, stateDir } from "../config/state.ts";
import { ConfigError } from "../errors.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import { readText } from "../fs.ts";
import { acquireRunLock } from "./run_lock.ts";
import { type Selection, selectSiblings } from "./select.ts";

/** What happened in one sibling. */
export interface BranchOutcome {
  /** Sibling name. */
  name: string;
  /**
   * `created` (a new branch at HEAD), `switched` (to an existing branch, or
   * one tracking origin's), `already` (on it), `refused` (local changes: not
   * moved), `absent` (no such branch: not moved), `missing` (not cloned),
   * `failed` (git refused; nothing changed).
   */
  status: "created" | "switched" | "already" | "refused" | "absent" | "missing" | "failed";
  /** The branch it was on before (null when detached). */
  from?: string | null;
  /** More about it: what was in the way, where the branch came from. */
  detail?: string;
}

/** Options for {@link branchAll} and {@link switchAll}. */
export interface BranchOptions {
  /** Which siblings. */
  selection?: Selection;
  /** git commands at once (default 8). */
  jobs?: number;
  /** Cancels. */
  signal?: AbortSignal;
}

interface BranchState {
  /** The feature branch, or null. */
  feature: string | null;
  /** Every branch `wrknv branch` made here. */
  made: string[];
}

const STATE_FILE = "branch.json";

async function readState(ws: Workspace): Promise<BranchState> {
  const text = await readText(join(stateDir(ws), STATE_FILE));
  try {
    const data = text === null ? {} : JSON.parse(text);
    return {
      feature: typeof data.feature === "string" ? data.feature : null,
      made: Array.isArray(data.made) ? data.made.filter((b: unknown) => typeof b === "string") : [],
    };
  } catch {
    return { feature: null, made: [] }; // a torn or hand-edited file: start again
  }
}

async function writeState(ws: Workspace, state: BranchState): Promise<void> {
  const dir = await ensureStateDir(ws);
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + "\n");
}

/** The feature branch `wrknv branch` made and `status` reports, or null. */
export async function featureBranch(ws: Workspace): Promise<string | null> {
  return (await readState(ws)).feature;
}

function checkName(branch: string): void {
  const problem = git.branchNameProblem(branch);
  if (problem) throw new ConfigError(`branch ${problem}`);
}

function gitMessage(error: unknown): string {
  return error instanceof git.GitError
    ? (git.lastErrorLine(error.stderr) ?? error.message)
    : (error as Error).message;
}

type Step = (s: Sibling, st: git.GitStatus, signal?: AbortSignal) => Promise<BranchOutcome>;

async function eachSibling(
  ws: Workspace,
  branch: string,
  options: BranchOptions,
  step: Step,
): Promise<BranchOutcome[]> {
  checkName(branch);
  const siblings = selectSiblings(ws, options.selection);
  await using _lock = await acquireRunLock(ws, "branch");
  const settled = await pool(siblings, async (s): Promise<BranchOutcome> => {
    if (!(await git.isRepo(s.path, { signal: options.signal }))) {
      return { name: s.name, status: "missing", detail: "not cloned" };
    }
    let st: git.GitStatus;
    try {
      st = await git.status(s.path, { signal: options.signal });
    } catch (error) {
      return { name: s.name, status: "failed", detail: gitMessage(error) };
    }
    if (st.branch === branch) return { name: s.name, status: "already", from: branch };
    try {
      return await step(s, st, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { name: s.name, status: "failed", from: st.branch, detail: gitMessage(error) };
    }
  }, { limit: options.jobs ?? 8, signal: options.signal });
  return settled.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}

function refusal(s: Sibling, st: git.GitStatus, command: string): BranchOutcome | null {
  const changes = st.staged + st.unstaged + st.conflicted;
  if (changes === 0) return null;
  return {
    name: s.name,
    status: "refused",
    from: st.branch,
    detail: `${changes} changed ${changes === 1 ? "file" : "files"}: commit or stash ${
      changes === 1 ? "it" : "them"
    }, then run: wrknv ${command} --only ${s.name}`,
  };
}

/**
 * Make branch `branch` at each selected sibling's HEAD and check it out
 * (check it out where it exists already, locally or on origin). Siblings
 * with local changes are refused and left as they are.
 *
 * @throws {ConfigError} for a name git would not take as a branch
 */
export async function branchAll(
  ws: Workspace,
  branch: string,
  options: BranchOptions = {},
): Promise<BranchOutcome[]> {
  const outcomes = await eachSibling(ws, branch, options, async (s, st, signal) => {
    const refused = refusal(s, st, `branch ${branch}`);
    if (refused) return refused;
    const where = await git.findBranch(s.path, branch);
    if (where === null) {
      await git.createBranch(s.path, branch, { signal });
      return { name: s.name, status: "created", from: st.branch };
    }
    await git.switchBranch(s.path, branch, { signal });
    return {
      name: s.name,
      status: "switched",
      from: st.branch,
      detail: where === "local" ? "it existed" : `tracking origin/${branch}`,
    };
  });
  const state = await readState(ws);
  await writeState(ws, {
    feature: branch,
    made: state.made.includes(branch) ? state.made : [...state.made, branch],
  });
  return outcomes;
}

/**
 * Check out `branch` in every selected sibling that has it (locally, or on
 * origin: a tracking branch is made). Siblings without it are reported as
 * `absent`; those with local changes are refused; neither is moved.
 *
 * @throws {ConfigError} for a name git would not take as a branch
 */
export async function switchAll(
  ws: Workspace,
  branch: string,
  options: BranchOptions = {},
): Promise<BranchOutcome[]> {
  const outcomes = await eachSibling(ws, branch, options, async (s, st, signal) => {
    const where = await git.findBranch(s.path, branch);
    if (where === null) {
      return { name: s.name, status: "absent", from: st.branch, detail: `has no ${branch}` };
    }
    const refused = refusal(s, st, `switch ${branch}`);
    if (refused) return refused;
    await git.switchBranch(s.path, branch, { signal });
    return {
      name: s.name,
      status: "switched",
      from: st.branch,
      ...(where === "remote" ? { detail: `tracking origin/${branch}` } : {}),
    };
  });
  const state = await readState(ws);
  const feature = state.made.includes(branch) ? branch : null;
  if (feature !== state.feature) await writeState(ws, { ...state, feature });
  return outcomes;
}
