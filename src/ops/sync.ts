/**
 * `wrknv sync`: fetch every sibling and fast-forward its branch; clone what
 * is missing. Dirty trees, diverged branches and detached heads are skipped
 * and reported, never touched.
 *
 * @module
 */
import { checkpoint } from "../checkpoint.ts";
import type { Sibling, Workspace } from "../config/types.ts";
import { type LockEntry, readLock } from "../config/lock.ts";
import { ConfigError } from "../errors.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import { bootstrap } from "./bootstrap.ts";
import type { Reporter } from "./reporter.ts";
import { type Selection, selectSiblings } from "./select.ts";
import { acquireRunLock } from "./run_lock.ts";

/** One sibling's outcome. */
export interface SyncOutcome {
  /** Sibling name. */
  name: string;
  /** What happened. */
  status:
    | "updated"
    | "up-to-date"
    | "cloned"
    | "checked-out"
    | "skipped"
    | "failed"
    /** With `dryRun`: what a run would do, judged from the last fetch (nothing is fetched). */
    | "would-update"
    | "would-clone"
    | "would-check-out";
  /** Why it was skipped or failed; what it moved. */
  detail?: string;
  /** HEAD before. */
  before?: string | null;
  /** HEAD after. */
  after?: string | null;
}

/** Options for {@link sync}. */
export interface SyncOptions {
  /** Which siblings. */
  selection?: Selection;
  /** Rebase local commits onto the upstream instead of skipping a diverged branch. */
  rebase?: boolean;
  /** Do not clone missing siblings. */
  noClone?: boolean;
  /** Check out the commits in wrknv.lock (clean trees only). */
  locked?: boolean;
  /** At once. */
  jobs?: number;
  /** Seconds before one sibling's fetch (or clone) is given up (default 300). */
  timeout?: number;
  /** Cancels. */
  signal?: AbortSignal;
  /**
   * Say what would be done, judged from what the last fetch brought, and
   * change nothing: no fetch (it would move remote-tracking branches), no
   * merge, no clone, no lock.
   */
  dryRun?: boolean;
}

const message = git.describeFailure;

/** What syncOne would do to a clean sibling, from its status as the last fetch left it. */
function plan(s: Sibling, st: git.GitStatus, locked: LockEntry | undefined, o: SyncOptions) {
  const out = (status: SyncOutcome["status"], detail?: string): SyncOutcome => ({
    name: s.name,
    status,
    before: st.head,
    ...(detail ? { detail } : {}),
  });
  if (o.locked) {
    if (!locked) return out("skipped", "not in wrknv.lock");
    return st.head === locked.commit
      ? out("up-to-date")
      : out("would-check-out", `${short(st.head)} -> ${short(locked.commit)} (the locked commit)`);
  }
  if (st.branch === null) return out("skipped", "detached HEAD");
  if (st.upstream === null) return out("skipped", `branch ${st.branch} has no upstream`);
  const since = "as of the last fetch";
  if (st.behind === 0) return out("up-to-date", since);
  if (st.ahead === 0) {
    return out("would-update", `${st.behind} commit${st.behind === 1 ? "" : "s"} behind, ${since}`);
  }
  return o.rebase
    ? out("would-update", `rebase ${st.ahead} onto ${st.upstream}, ${since}`)
    : out("skipped", `diverged from ${st.upstream}, ${since} (use --rebase, or merge by hand)`);
}

/** How long one fetch may take without --timeout. */
const FETCH_TIMEOUT_MS = 300_000;

async function syncOne(
  s: Sibling,
  locked: LockEntry | undefined,
  options: SyncOptions,
): Promise<SyncOutcome> {
  const signal = options.signal;
  const st = await git.status(s.path, { signal });
  const changes = st.staged + st.unstaged + st.conflicted;
  if (changes > 0) {
    return {
      name: s.name,
      status: "skipped",
      detail: `dirty (${changes} changed ${changes === 1 ? "file" : "files"})`,
    };
  }
  if (options.dryRun) return plan(s, st, locked, options);
  if (options.locked) {
    if (!locked) return { name: s.name, status: "skipped", detail: "not in wrknv.lock" };
    if (st.head === locked.commit) {
      return { name: s.name, status: "up-to-date", before: st.head, after: st.head };
    }
    if (!(await git.revParse(s.path, `${locked.commit}^{commit}`, { signal }))) {
      await checkpoint(`fetch ${s.name}`);
      await git.fetch(s.path, {
        signal,
        timeoutMs: options.timeout ? options.timeout * 1000 : FETCH_TIMEOUT_MS,
      });
    }
    const r = await git.checkout(s.path, locked.commit, { signal });
    return {
      name: s.name,
      status: "checked-out",
      before: st.head,
      after: r.head,
      detail: "at the locked commit",
    };
  }
  if (st.branch === null) return { name: s.name, status: "skipped", detail: "detached HEAD" };
  if (st.upstream === null) {
    return { name: s.name, status: "skipped", detail: `branch ${st.branch} has no upstream` };
  }
  await checkpoint(`fetch ${s.name}`);
  await git.fetch(s.path, {
    signal,
    timeoutMs: options.timeout ? options.timeout * 1000 : FETCH_TIMEOUT_MS,
  });
  await checkpoint(`merge ${s.name}`);
  const m = await git.mergeFfOnly(s.path, { signal });
  await checkpoint(`merged ${s.name}`);
  if (m.status === "updated") {
    return {
      name: s.name,
      status: "updated",
      before: m.before,
      after: m.after,
      detail: `${short(m.before)}..${short(m.after)}`,
    };
  }
  if (m.status === "up-to-date") {
    return { name: s.name, status: "up-to-date", before: m.before, after: m.after };
  }
  // Diverged.
  if (!options.rebase) {
    return {
      name: s.name,
      status: "skipped",
      detail: `diverged from ${st.upstream} (use --rebase, or merge by hand)`,
    };
  }
  if (await git.rebase(s.path, { signal }) === "conflict") {
    return {
      name: s.name,
      status: "failed",
      detail: `rebase onto ${st.upstream} stopped on a conflict; aborted it, nothing changed`,
    };
  }
  const after = await git.headCommit(s.path);
  return {
    name: s.name,
    status: "updated",
    before: m.before,
    after,
    detail: `rebased onto ${st.upstream}`,
  };
}

function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : "none";
}

/** Sync the selected siblings. Results in file order. */
export async function sync(
  ws: Workspace,
  options: SyncOptions,
  reporter: Reporter,
): Promise<SyncOutcome[]> {
  const siblings = selectSiblings(ws, options.selection);
  let lock: Map<string, LockEntry> | undefined;
  if (options.locked) {
    const entries = await readLock(ws);
    if (!entries) {
      throw new ConfigError(
        "--locked: there is no wrknv.lock beside wrknv.toml (make one with `wrknv lock`)",
      );
    }
    lock = new Map(entries.map((e) => [e.name, e]));
  }
  const present: Sibling[] = [];
  const missing: Sibling[] = [];
  for (const s of siblings) {
    let isRepo = false;
    try {
      await Deno.lstat(`${s.path}/.git`);
      isRepo = true;
    } catch {
      isRepo = false;
    }
    (isRepo ? present : missing).push(s);
  }
  const outcomes = new Map<string, SyncOutcome>();
  if (missing.length && !options.noClone && options.dryRun) {
    for (const s of missing) outcomes.set(s.name, { name: s.name, status: "would-clone" });
  } else if (missing.length && !options.noClone) {
    const result = await bootstrap(ws, {
      selection: { only: missing.map((s) => s.name) },
      locked: options.locked,
      signal: options.signal,
      jobs: options.jobs,
      timeout: options.timeout,
    }, reporter);
    for (const o of result.siblings) {
      outcomes.set(o.name, {
        name: o.name,
        status: o.status === "cloned" ? "cloned" : o.status === "present" ? "up-to-date" : "failed",
        detail: o.error,
        after: o.commit,
      });
    }
  } else {
    for (const s of missing) {
      outcomes.set(s.name, { name: s.name, status: "skipped", detail: "not cloned (--no-clone)" });
    }
  }
  await using _lock = options.dryRun ? null : await acquireRunLock(ws, "sync");
  await pool(present, async (s) => {
    reporter.start(s.name, "syncing");
    let o: SyncOutcome;
    try {
      o = await syncOne(s, lock?.get(s.name), options);
    } catch (error) {
      o = { name: s.name, status: "failed", detail: message(error) };
    }
    outcomes.set(s.name, o);
    reporter.done(s.name, o.status, o.detail);
  }, { limit: options.jobs ?? 8, signal: options.signal });
  return siblings.map((s) =>
    outcomes.get(s.name) ?? { name: s.name, status: "failed", detail: "interrupted" }
  );
}
