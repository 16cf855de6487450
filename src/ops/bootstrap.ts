/**
 * `wrknv bootstrap`: clone every missing sibling, in parallel, safely and
 * resumably.
 *
 * Safety: a sibling that exists is never touched. A clone goes into a
 * directory that wrknv makes beside the target (`.wrknv-clone-<name>-<pid>-…`)
 * and is renamed into place only when complete, so an interrupted or failed run
 * leaves nothing half-made and a re-run resumes. Such a directory left by a
 * killed run (its pid gone) is removed on the next run: wrknv made it, and it
 * holds a marker file saying so.
 *
 * @module
 */
import { checkpoint } from "../checkpoint.ts";
import { basename, dirname, join } from "node:path";
import { ConfigError, interruption } from "../errors.ts";
import type { Sibling, Workspace } from "../config/types.ts";
import { type LockEntry, readLock } from "../config/lock.ts";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";
import type { Reporter } from "./reporter.ts";
import { inactiveOf, type Selection, selectSiblings } from "./select.ts";
import { acquireRunLock } from "./run_lock.ts";
import type { OpenedBundle } from "./bundle.ts";
import { cacheable, keepAsMirror, openMirror } from "./cache.ts";
import { replaceRemoteUrl } from "../git/files.ts";
import { exists, pidAlive } from "../fs.ts";
import { NestedClones } from "./nested.ts";
import { rememberLink } from "../config/user_state.ts";

/** What happened to one sibling. */
export type BootstrapStatus =
  | "cloned"
  | "present"
  | "linked"
  | "conflict"
  | "failed"
  | "interrupted"
  /** With `dryRun`: what a run would do. */
  | "would-clone"
  | "would-link";

/** One sibling's outcome. */
export interface SiblingOutcome {
  /** Sibling name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** What happened. */
  status: BootstrapStatus;
  /** HEAD after the run, when it is a repository. */
  commit?: string;
  /** Why it failed or conflicted (git's last error line). */
  error?: string;
  /** Something the user should know (origin differs, differs from the lock, ...). */
  warnings?: string[];
  /** How many clone attempts were made. */
  attempts?: number;
  /** Set when the clone came from the mirror cache. */
  cache?: CacheUse;
}

/** The result of a bootstrap. */
export interface BootstrapResult {
  /** True when nothing failed or conflicted. */
  ok: boolean;
  /** Per sibling, in file order. */
  siblings: SiblingOutcome[];
  /** True when Ctrl-C stopped the run. */
  interrupted: boolean;
  /** Siblings left out because they are in `workspace.inactive_groups`, and those groups. */
  inactive: { siblings: string[]; groups: string[] };
}

/** Bootstrap options (the CLI flags). */
export interface BootstrapOptions {
  /** Which siblings. */
  selection?: Selection;
  /** Say what would be cloned or linked, and change nothing (no lock, no clone, no cache). */
  dryRun?: boolean;
  /** Clones at once. */
  jobs?: number;
  /** Retries of a transient network failure. */
  retry?: number;
  /** Seconds per clone attempt. */
  timeout?: number;
  /** Shallow clone depth. */
  depth?: number;
  /** Partial clone filter, e.g. `blob:none`. */
  filter?: string;
  /** Borrow objects from `<dir>/<name>.git` or `<dir>/<name>`. */
  reference?: string;
  /** Symlink `<dir>/<name>` into place where it is a clone. */
  linkFrom?: string;
  /** Check out the commits in wrknv.lock. */
  locked?: boolean;
  /** Retry siblings that failed for want of credentials with the terminal. */
  interactive?: boolean;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** Base delay of the retry backoff, in ms (tests make it small). */
  backoffMs?: number;
  /** Clone from this verified bundle (at its locked commits) instead of the remotes. */
  bundle?: OpenedBundle;
  /** Use the cache of bare mirrors for network remotes (default true). */
  cache?: boolean;
  /** No network: clone network remotes from the mirror cache as it is (saying how old). */
  offline?: boolean;
}

/** The default number of clones at once: see BENCHMARKS.md. */
export const DEFAULT_JOBS = 8;

const TEMP_PREFIX = ".wrknv-clone-";
const MARKER = ".wrknv-partial";

type Kind = "missing" | "repo" | "link-repo" | "empty-dir" | "file" | "dir" | "broken-link";

async function inspect(path: string): Promise<Kind> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
  if (info.isSymlink) {
    try {
      const target = await Deno.stat(path);
      if (!target.isDirectory) return "file";
    } catch {
      return "broken-link";
    }
    return (await exists(join(path, ".git"))) ? "link-repo" : "dir";
  }
  if (!info.isDirectory) return "file";
  if (await exists(join(path, ".git"))) return "repo";
  for await (const _ of Deno.readDir(path)) return "dir";
  return "empty-dir";
}

/** Remove clone directories that a killed wrknv left beside `path`. */
async function removeStaleTemps(path: string, name: string): Promise<void> {
  const dir = dirname(path);
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory || !e.name.startsWith(`${TEMP_PREFIX}${name}-`)) continue;
    const pid = Number(e.name.slice(`${TEMP_PREFIX}${name}-`.length).split("-")[0]);
    const temp = join(dir, e.name);
    if (!Number.isInteger(pid) || pidAlive(pid)) continue;
    if (!(await exists(join(temp, MARKER)))) {
      // Killed between making the directory and writing its marker: only an
      // empty one is removed (a non-recursive remove fails on anything else).
      await Deno.remove(temp).catch(() => {});
      continue;
    }
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

interface CloneJob {
  sibling: Sibling;
  revision?: string;
  locked?: string;
}

/** What one clone made, besides the sibling itself. */
interface Cloned {
  /** HEAD after the clone. */
  commit?: string;
  /** Something to tell the user (the clone came from an old mirror, the mirror was unusable). */
  warning?: string;
  /** Set when the clone came from the mirror cache. */
  cache?: CacheUse;
}

/** How a sibling's clone used the mirror cache (in `--json`). */
export interface CacheUse {
  /** The mirror's directory. */
  mirror: string;
  /** When the mirror was last brought up to date from the remote (ISO 8601). */
  updated: string;
  /** True when it was not brought up to date in this run (`--offline`). */
  stale: boolean;
}

async function cloneOne(
  job: CloneJob,
  options: BootstrapOptions,
  interactive: boolean,
): Promise<Cloned> {
  const { sibling } = job;
  const parent = dirname(sibling.path);
  await Deno.mkdir(parent, { recursive: true });
  await removeStaleTemps(sibling.path, sibling.name);
  const temp = join(
    parent,
    `${TEMP_PREFIX}${sibling.name}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`,
  );
  await Deno.mkdir(temp);
  await Deno.writeTextFile(
    join(temp, MARKER),
    `wrknv clone of ${sibling.name} in progress (pid ${Deno.pid})\n`,
  );
  const dest = join(temp, basename(sibling.path));
  try {
    await checkpoint(`clone ${sibling.name}`);
    const cloned = await cloneInto(job, dest, options, interactive);
    if (options.signal?.aborted) throw interruption(options.signal);
    // Only now does the sibling appear, whole. Refuse to replace anything but
    // an empty directory (which rename(2) replaces atomically).
    const now = await inspect(sibling.path);
    if (now !== "missing" && now !== "empty-dir") {
      throw new Error(`${sibling.path} appeared while cloning; left it alone`);
    }
    await checkpoint(`rename ${sibling.name}`);
    await Deno.rename(dest, sibling.path);
    await checkpoint(`renamed ${sibling.name}`);
    return cloned;
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** Whether this clone goes through the mirror cache. */
function usesCache(repo: string, options: BootstrapOptions, interactive: boolean): boolean {
  if (options.bundle || options.reference || options.cache === false || interactive) return false;
  // Shallow and partial clones go to the remote directly, unless there is no network.
  if ((options.depth || options.filter) && !options.offline) return false;
  return cacheable(repo);
}

/**
 * Clone the sibling into `dest`: from the bundle, through the mirror cache, or
 * directly from its remote. One git process for a direct clone; HEAD is read
 * from the clone's files.
 */
async function cloneInto(
  job: CloneJob,
  dest: string,
  options: BootstrapOptions,
  interactive: boolean,
): Promise<Cloned> {
  const { sibling } = job;
  // A depth wrknv.toml gives a sibling (repo's clone-depth) counts as --depth.
  const depth = options.depth ?? sibling.depth;
  const call = {
    revision: job.locked ?? job.revision,
    depth,
    filter: options.filter,
    signal: options.signal,
    timeoutMs: options.timeout ? options.timeout * 1000 : undefined,
    interactive,
  };
  if (options.bundle) {
    const cloned = await git.clone(options.bundle.repo(sibling.name), dest, call);
    // Point origin at the real remote, so a later sync works online.
    await pointOrigin(dest, sibling.repo);
    return { commit: cloned.head ?? undefined };
  }
  if (usesCache(sibling.repo, { ...options, depth }, interactive)) {
    return await cloneFromMirror(job, dest, { ...options, call });
  }
  if (options.offline && cacheable(sibling.repo)) {
    throw new git.GitError(
      "--offline clones network remotes from the mirror cache only, and --no-cache or " +
        "--reference leaves it out; drop one of them",
      { kind: "other" },
    );
  }
  let reference: string | undefined;
  if (options.reference) {
    for (
      const candidate of [
        join(options.reference, `${sibling.name}.git`),
        join(options.reference, sibling.name),
      ]
    ) {
      if (await exists(candidate)) {
        reference = candidate;
        break;
      }
    }
  }
  const cloned = await git.clone(sibling.repo, dest, { ...call, reference });
  return { commit: cloned.head ?? undefined };
}

/** Set origin of a clone wrknv just made: by editing its config where it can, else with git. */
async function pointOrigin(dest: string, url: string): Promise<void> {
  if (!(await replaceRemoteUrl(dest, { to: url }))) await git.setRemoteUrl(dest, url);
}

/**
 * Clone through the mirror cache. Cold (no mirror yet): clone directly and
 * keep the clone's objects as the mirror. Warm: bring the mirror up to date
 * (only new objects cross the network; a failure fails the sibling as a
 * direct clone would), clone from it locally (hard links, no network, no alternates, so
 * pruning the cache never breaks a clone) and point origin at the real URL.
 * `--offline` uses the mirror as it is and says how old it is.
 */
async function cloneFromMirror(
  job: CloneJob,
  dest: string,
  options: BootstrapOptions & { call: git.CloneOptions },
): Promise<Cloned> {
  const { sibling } = job;
  const { call } = options;
  const started = performance.now();
  const opened = await openMirror(sibling.repo, {
    signal: options.signal,
    timeoutMs: call.timeoutMs,
    offline: options.offline,
  });
  if ("unusable" in opened) {
    const cloned = await git.clone(sibling.repo, dest, call);
    return { commit: cloned.head ?? undefined, warning: opened.unusable };
  }
  if ("cold" in opened) {
    // No mirror yet: clone directly (one git process, as without the cache),
    // then keep the clone's objects as the mirror (no process, no transfer).
    const cloned = await git.clone(sibling.repo, dest, call);
    await keepAsMirror(sibling.repo, dest).catch(() => false);
    return { commit: cloned.head ?? undefined };
  }
  const left = call.timeoutMs === undefined
    ? undefined
    : Math.max(1, call.timeoutMs - (performance.now() - started));
  let cloned: git.CheckoutResult;
  {
    await using mirror = opened;
    // git ignores --depth and --filter for a plain path; a file:// URL honours them.
    const source = call.depth || call.filter ? `file://${mirror.path}` : mirror.path;
    try {
      cloned = await git.clone(source, dest, { ...call, timeoutMs: left, interactive: false });
    } catch (error) {
      // A commit that no branch or tag holds is not in the mirror: ask the remote for it.
      if (
        !(error instanceof git.GitError) || error.kind !== "notfound" || !call.revision ||
        options.offline
      ) throw error;
      await Deno.remove(dest, { recursive: true }).catch(() => {});
      const direct = await git.clone(sibling.repo, dest, { ...call, timeoutMs: left });
      return { commit: direct.head ?? undefined };
    }
    await pointOrigin(dest, sibling.repo);
    const cache: CacheUse = {
      mirror: mirror.path,
      updated: mirror.updated.toISOString(),
      stale: mirror.stale,
    };
    return {
      commit: cloned.head ?? undefined,
      cache,
      warning: mirror.stale ? `from the cache, last updated ${when(mirror.updated)}` : undefined,
    };
  }
}

/** A date for people: `2026-12-03 06:40 UTC`. */
function when(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Clone every selected sibling that is missing; report the rest.
 *
 * @throws {ConfigError} for a bad selection, or `--locked` without wrknv.lock
 */
export async function bootstrap(
  ws: Workspace,
  options: BootstrapOptions,
  reporter: Reporter,
): Promise<BootstrapResult> {
  const siblings = selectSiblings(ws, options.selection);
  let lock: Map<string, LockEntry> | undefined = options.bundle?.lock;
  if (options.bundle) {
    const notIn = siblings.filter((s) => !options.bundle!.lock.has(s.name)).map((s) => s.name);
    if (notIn.length) {
      throw new ConfigError(
        `the bundle has no ${notIn.join(", ")}; make it again with wrknv bundle`,
      );
    }
  } else if (options.locked) {
    const entries = await readLock(ws);
    if (!entries) {
      throw new ConfigError(
        "--locked: there is no wrknv.lock beside wrknv.toml (make one with `wrknv lock`)",
      );
    }
    lock = new Map(entries.map((e) => [e.name, e]));
  }
  await using _lock = options.dryRun ? null : await acquireRunLock(ws, "bootstrap");
  const signal = options.signal;
  const retries = options.retry ?? 2;
  const backoff = options.backoffMs ?? 500;
  const needCredentials: CloneJob[] = [];
  const outcomes = new Map<string, SiblingOutcome>();

  const settle = (o: SiblingOutcome) => {
    outcomes.set(o.name, o);
    reporter.done(o.name, o.status, o.error ?? o.warnings?.join("; "));
  };

  const nested = new NestedClones(ws, siblings);
  const cloneSibling = async (sibling: Sibling) => {
    await nested.outerDone(sibling);
    if (signal?.aborted) {
      settle({ name: sibling.name, path: sibling.path, status: "interrupted" });
      return;
    }
    const base = { name: sibling.name, path: sibling.path };
    const locked = lock?.get(sibling.name)?.commit;
    const warnings: string[] = [];
    if (lock && !locked) warnings.push("not in wrknv.lock; cloned at its revision");
    const kind = await inspect(sibling.path);
    if (kind === "repo" || kind === "link-repo") {
      let origin: string | null, head: string | null;
      try {
        ({ origin, head } = await git.originAndHead(sibling.path));
      } catch (error) {
        // git refuses it (another user owns it): not "present", whatever is in it.
        settle({ ...base, status: "failed", error: git.describeFailure(error) });
        return;
      }
      if (origin === null) warnings.push("has no origin remote");
      else if (!git.sameRemote(origin, sibling.repo)) {
        warnings.push(`origin is ${origin}, not ${sibling.repo}`);
      }
      if (locked && head && head !== locked) {
        warnings.push(`at ${head.slice(0, 12)}, wrknv.lock has ${locked.slice(0, 12)}`);
      }
      await nested.placed(sibling);
      settle({
        ...base,
        status: kind === "link-repo" ? "linked" : "present",
        commit: head ?? undefined,
        warnings: warnings.length ? warnings : undefined,
      });
      return;
    }
    if (kind === "file" || kind === "dir" || kind === "broken-link") {
      const what = kind === "file"
        ? "a file is in the way"
        : kind === "broken-link"
        ? "a broken symbolic link is in the way"
        : "the directory exists but is not a git repository";
      settle({ ...base, status: "conflict", error: `${what}; left untouched` });
      return;
    }
    if (options.dryRun) {
      // The outer of a nested sibling is cloned first in a real run, so it is no obstacle here.
      const link = options.linkFrom !== undefined &&
        (await inspect(join(options.linkFrom, sibling.name))) === "repo";
      settle({ ...base, status: link ? "would-link" : "would-clone", commit: locked });
      return;
    }
    const blocked = await nested.blocked(sibling);
    if (blocked) {
      settle({ ...base, status: "failed", error: blocked });
      return;
    }
    if (options.linkFrom) {
      const source = join(options.linkFrom, sibling.name);
      if ((await inspect(source)) === "repo") {
        reporter.start(sibling.name, "linking");
        if (kind === "empty-dir") {
          settle({
            ...base,
            status: "conflict",
            error: "an empty directory is in the way of the link; left untouched",
          });
          return;
        }
        await Deno.mkdir(dirname(sibling.path), { recursive: true });
        // Remembered (outside the workspace) before it is made: only links
        // wrknv made are followed out of the root.
        await rememberLink(ws.configPath, sibling.path, source);
        await Deno.symlink(source, sibling.path);
        settle({
          ...base,
          status: "linked",
          commit: (await git.headCommit(sibling.path).catch(() => null)) ?? undefined,
        });
        return;
      }
      warnings.push(`no clone at ${source}; cloned instead`);
    }
    const job: CloneJob = { sibling, revision: sibling.revision, locked };
    reporter.start(sibling.name, "cloning");
    let attempts = 0;
    while (true) {
      attempts++;
      try {
        const cloned = await cloneOne(job, options, false);
        await nested.placed(sibling);
        if (cloned.warning) warnings.push(cloned.warning);
        settle({
          ...base,
          status: "cloned",
          commit: cloned.commit,
          attempts,
          warnings: warnings.length ? warnings : undefined,
          ...(cloned.cache ? { cache: cloned.cache } : {}),
        });
        return;
      } catch (error) {
        if (signal?.aborted) {
          settle({ ...base, status: "interrupted", attempts });
          return;
        }
        const stderr = error instanceof git.GitError ? error.stderr : "";
        const kindOfError = error instanceof git.GitError
          ? error.timedOut ? "timeout" : error.kind
          : "other";
        const message = error instanceof git.GitError
          ? error.timedOut
            ? `timed out after ${options.timeout}s`
            : git.lastErrorLine(stderr) || (error as Error).message
          : (error as Error).message;
        if (kindOfError === "auth" && options.interactive) {
          needCredentials.push(job);
          settle({ ...base, status: "failed", error: message, attempts });
          return;
        }
        if (kindOfError === "network" && attempts <= retries) {
          await sleep(backoff * 2 ** (attempts - 1), signal);
          continue;
        }
        settle({ ...base, status: "failed", error: message, attempts });
        return;
      }
    }
  };
  // Outer siblings start first; an inner one waits for the one holding it.
  await pool(nested.order(siblings), nested.track(cloneSibling), {
    limit: Math.max(1, options.jobs ?? DEFAULT_JOBS),
    signal,
  });

  // Credentials: one at a time, with the terminal, so git can ask.
  for (const job of needCredentials) {
    if (signal?.aborted) break;
    const { sibling } = job;
    reporter.info(`${sibling.name}: needs credentials; asking on the terminal`);
    try {
      const cloned = await cloneOne(job, options, true);
      await nested.placed(sibling);
      settle({
        name: sibling.name,
        path: sibling.path,
        status: "cloned",
        commit: cloned.commit,
        ...(cloned.warning ? { warnings: [cloned.warning] } : {}),
      });
    } catch (error) {
      const stderr = error instanceof git.GitError ? error.stderr : "";
      settle({
        name: sibling.name,
        path: sibling.path,
        status: "failed",
        error: git.lastErrorLine(stderr) || (error as Error).message,
      });
    }
  }

  const list = siblings.map((s) =>
    outcomes.get(s.name) ?? { name: s.name, path: s.path, status: "interrupted" as const }
  );
  return {
    ok: list.every((o) =>
      ["cloned", "present", "linked", "would-clone", "would-link"].includes(o.status)
    ),
    siblings: list,
    interrupted: signal?.aborted ?? false,
    inactive: inactiveOf(ws, options.selection),
  };
}
