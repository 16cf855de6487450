/**
 * The adapter over the real git: argument building and output parsing, every
 * command run through src/proc. Never a reimplementation of git.
 *
 * - Every command runs with {@linkcode gitEnv}: no terminal prompts, ssh in
 *   batch mode, messages in the C locale (so {@linkcode classifyGitError}
 *   can read them), and no inherited `GIT_DIR`-like variables (wrknv may run
 *   inside a git hook). `interactive: true` lets git and ssh ask at the
 *   terminal instead.
 * - Positional arguments come after `--` or `--end-of-options`, and URLs and
 *   revisions that git could read as options are refused.
 * - A failed command throws a {@linkcode GitError} with a `kind` (auth,
 *   network, notfound, other); an aborted one an `InterruptedError`.
 *
 * @module
 */
import { join } from "node:path";
import { exists } from "../fs.ts";
import { interruption, WrknvError } from "../errors.ts";
import { pool, run, type RunResult } from "../proc/mod.ts";
import {
  branchNameProblem,
  classifyGitError,
  dubiousOwnership,
  type GitErrorKind,
  type GitStatus,
  type GrepMatch,
  isCommitId,
  isFullCommitId,
  lastErrorLine,
  parseGrep,
  parseStatusV2,
  revisionProblem,
} from "./parse.ts";
import { shellQuote } from "../text.ts";
import { redactUrl } from "./remote.ts";
import { readHead, readRemoteUrl } from "./files.ts";

// Everything the pure parsers offer is part of the adapter's face.
export * from "./parse.ts";
export { mirrorKey, redactUrl, remoteKey, sameRemote } from "./remote.ts";

/** A git command that failed. */
export class GitError extends WrknvError {
  /** What kind of failure git's messages show. */
  readonly kind: GitErrorKind;
  /** The git arguments (without `git`). */
  readonly args: readonly string[];
  /** git's standard error. */
  readonly stderr: string;
  /** True when the command was ended because its time ran out. */
  readonly timedOut: boolean;

  /** Make a git error. */
  constructor(
    message: string,
    options: {
      kind: GitErrorKind;
      args?: readonly string[];
      stderr?: string;
      timedOut?: boolean;
      hint?: string;
    },
  ) {
    super(message, { hint: options.hint });
    this.name = "GitError";
    this.kind = options.kind;
    this.args = options.args ?? [];
    this.stderr = options.stderr ?? "";
    this.timedOut = options.timedOut ?? false;
  }
}

/** Options shared by the commands that may talk to a remote. */
export interface GitCallOptions {
  /** Aborting ends git and everything it spawned. */
  signal?: AbortSignal;
  /** Milliseconds before git is ended (for clone: for all its steps together). */
  timeoutMs?: number;
  /** Let git and ssh ask for credentials at the terminal (one at a time, please). */
  interactive?: boolean;
  /** Progress lines from git's standard error, as they come (adds `--progress`). */
  onProgress?: (line: string) => void;
}

// Variables that would point git at another repository than the one asked for.
const REPO_VARS = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
];

/**
 * The environment (merged over the current one) that wrknv runs git with:
 * `GIT_TERMINAL_PROMPT=0` and `GIT_SSH_COMMAND="ssh -o BatchMode=yes"` when
 * not interactive (the latter only when the user set none of
 * `GIT_SSH_COMMAND`, `GIT_SSH` or, as `sshCommandConfigured` tells,
 * `core.sshCommand`, which the variable would override), `LC_ALL=C` always,
 * and `undefined` (remove) for repository-locating variables such as
 * `GIT_DIR` that are set. `env` is the environment to read, the current one
 * by default.
 */
export function gitEnv(
  options: {
    interactive?: boolean;
    env?: Record<string, string | undefined>;
    sshCommandConfigured?: boolean;
  } = {},
): Record<string, string | undefined> {
  const base = options.env ?? safeEnv();
  const out: Record<string, string | undefined> = { LC_ALL: "C" };
  if (!options.interactive) {
    out.GIT_TERMINAL_PROMPT = "0";
    if (!base.GIT_SSH_COMMAND && !base.GIT_SSH && !options.sshCommandConfigured) {
      out.GIT_SSH_COMMAND = "ssh -o BatchMode=yes";
    }
  }
  for (const name of REPO_VARS) if (base[name] !== undefined) out[name] = undefined;
  return out;
}

// Whether core.sshCommand is set, per working directory ("" = none: global
// and system config only). Asked once per directory and run.
const sshCommandCache = new Map<string, Promise<boolean>>();

function sshCommandConfigured(cwd: string | undefined): Promise<boolean> {
  const key = cwd ?? "";
  let found = sshCommandCache.get(key);
  if (!found) {
    found = run(["git", "config", "--get", "core.sshCommand"], {
      cwd,
      env: gitEnv({ sshCommandConfigured: true }),
      timeoutMs: 10_000,
      newProcessGroup: false,
    }).then((r) => r.code === 0 && r.stdout.trim() !== "", () => false);
    sshCommandCache.set(key, found);
  }
  return found;
}

function safeEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

interface GitRunOptions extends GitCallOptions {
  cwd?: string;
  /** The command may talk to a remote (clone, fetch): mind the user's ssh command. */
  remote?: boolean;
  /** The repository in `cwd` is one wrknv made (a mirror): only the user's global config counts. */
  ownRepo?: boolean;
  /** More environment for git (an author for the demo's commits). */
  extraEnv?: Record<string, string>;
}

/**
 * Subcommands that only read or write the repository's own files and start no
 * helper that could outlive them: they run in wrknv's process group (one exec,
 * no `setsid`), since ending git itself ends all of it. Anything that may talk
 * to a remote, run hooks or filters (clone, fetch, checkout, merge) gets a
 * process group of its own.
 */
const SELF_CONTAINED = new Set(["status", "rev-parse", "show-ref", "merge-base", "symbolic-ref"]);

/** Run git; the raw result, throwing only when git cannot start or the run was aborted. */
async function gitRaw(args: readonly string[], options: GitRunOptions = {}): Promise<RunResult> {
  const { onProgress } = options;
  const sub = subcommand(args);
  const selfContained = SELF_CONTAINED.has(sub) || (sub === "config" && args.includes("--get"));
  const r = await run(["git", ...args], {
    ...(selfContained && !options.remote ? { newProcessGroup: false } : {}),
    cwd: options.cwd,
    env: {
      ...gitEnv({
        interactive: options.interactive,
        sshCommandConfigured: options.remote && !options.interactive
          ? await sshCommandConfigured(options.ownRepo ? undefined : options.cwd)
          : false,
      }),
      ...options.extraEnv,
    },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    stdin: options.interactive ? "inherit" : "null",
    onLine: onProgress ? (line, stream) => stream === "stderr" && onProgress(line) : undefined,
  });
  if (r.aborted) throw interruption(options.signal, `git ${subcommand(args)}`);
  const owned = r.code !== 0 ? dubiousOwnership(r.stderr) : null;
  if (owned !== null) throw ownershipError(owned, args, r.stderr);
  return r;
}

/**
 * git refuses to work in a repository another user owns: every caller, even
 * one that reads a failure as "no such thing", must say so, or a refused
 * repository looks like one with no origin, or one not cloned.
 */
function ownershipError(path: string, args: readonly string[], stderr: string): GitError {
  return new GitError(
    `git refuses to work in ${path}: the repository is owned by another user ("dubious ownership")`,
    {
      kind: "ownership",
      args,
      stderr,
      hint: `if you trust it, run: git config --global --add safe.directory ${shellQuote(path)}`,
    },
  );
}

/**
 * For `.catch()` where a failure means "none" (no origin, no commit): null,
 * but a repository git refuses for its owner is never "none", so that
 * error is thrown on.
 */
export function noneUnlessRefused(error: unknown): null {
  if (error instanceof GitError && error.kind === "ownership") throw error;
  return null;
}

/**
 * What to show for a failed git command in a sibling's row: git's most
 * telling line, or, for a repository refused for its owner, wrknv's message
 * with the fix.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof GitError) {
    if (error.kind === "ownership") return `${error.message}; ${error.hint}`;
    return lastErrorLine(error.stderr) ?? error.message;
  }
  return (error as Error).message;
}

/**
 * The files git tracks at or under `path` (a directory), relative to it; at
 * most `limit`. Empty when `path` is in no repository.
 */
export async function trackedFiles(
  path: string,
  options: LocalOptions & { limit?: number } = {},
): Promise<string[]> {
  const r = await gitRaw(["ls-files", "-z", "--", "."], { cwd: path, ...options });
  if (r.code !== 0) {
    if (/not a git repository/i.test(r.stderr)) return [];
    throw failure(["ls-files"], r);
  }
  return r.stdout.split("\0").filter((f) => f !== "").slice(0, options.limit ?? 10);
}

/** Run git; throw a {@linkcode GitError} unless it succeeds. */
async function git(args: readonly string[], options: GitRunOptions = {}): Promise<RunResult> {
  const r = await gitRaw(args, options);
  if (r.timedOut) {
    throw new GitError(
      `git ${subcommand(args)} timed out after ${seconds(options.timeoutMs ?? 0)}`,
      { kind: "network", args, stderr: r.stderr, timedOut: true },
    );
  }
  if (r.code !== 0) throw failure(args, r);
  return r;
}

function failure(args: readonly string[], r: RunResult, message?: string): GitError {
  const detail = lastErrorLine(r.stderr)?.replace(/\.$/, "") ??
    (r.signal ? `ended by ${r.signal}` : `exit code ${r.code}`);
  return new GitError(message ?? `git ${subcommand(args)} failed: ${detail}`, {
    kind: classifyGitError(r.stderr),
    args,
    stderr: r.stderr,
  });
}

function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-c" || args[i] === "-C") i++;
    else if (!args[i].startsWith("-")) return args[i];
  }
  return "";
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

function refuseOption(what: string, value: string): void {
  if (value.startsWith("-")) {
    throw new WrknvError(`${what} "${value}" begins with "-" and could be read as an option`);
  }
}

function checkRevision(rev: string): void {
  const problem = revisionProblem(rev);
  if (problem) throw new WrknvError(`Revision ${problem}`);
}

function checkRemoteName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name)) {
    throw new WrknvError(`"${name}" is not a valid remote name`);
  }
}

/** A deadline shared by the steps of one operation. */
function deadline(timeoutMs: number | undefined): () => number | undefined {
  if (timeoutMs === undefined) return () => undefined;
  const end = performance.now() + timeoutMs;
  return () => Math.max(1, end - performance.now());
}

/** Options for {@linkcode cloneArgs}. */
export interface CloneArgsOptions {
  /** `--branch` (a branch or tag). */
  branch?: string;
  /** `--depth N`. */
  depth?: number;
  /** `--filter=<spec>`, e.g. `blob:none`. */
  filter?: string;
  /** A local repository to borrow objects from (`--reference-if-able DIR --dissociate`). */
  reference?: string;
  /** `--no-checkout`. */
  noCheckout?: boolean;
  /** `--progress`. */
  progress?: boolean;
}

/** The arguments (after `git`) of one `git clone`; `--` always comes before the positionals. */
export function cloneArgs(repo: string, dest: string, options: CloneArgsOptions = {}): string[] {
  const args = ["clone"];
  if (options.progress) args.push("--progress");
  else args.push("--quiet");
  if (options.noCheckout) args.push("--no-checkout");
  if (options.branch !== undefined) args.push("--branch", options.branch);
  if (options.depth !== undefined) args.push("--depth", String(options.depth));
  if (options.filter !== undefined) args.push(`--filter=${options.filter}`);
  if (options.reference !== undefined) {
    args.push("--reference-if-able", options.reference, "--dissociate");
  }
  args.push("--", repo, dest);
  return args;
}

/** Options for {@linkcode clone}. */
export interface CloneOptions extends GitCallOptions {
  /** A branch, tag or commit (full or abbreviated sha) to check out. */
  revision?: string;
  /** Shallow clone with this many commits. */
  depth?: number;
  /** Partial clone filter, e.g. `blob:none`. */
  filter?: string;
  /** A local repository to borrow objects from while cloning (it need not exist). */
  reference?: string;
}

/** Where a clone or checkout left HEAD. */
export interface CheckoutResult {
  /** Full sha of HEAD, or null when the repository has no commit yet (an empty remote). */
  head: string | null;
  /** The checked-out branch, or null when HEAD is detached (a tag or commit). */
  branch: string | null;
}

/**
 * Clone `repo` into `dest` (which must not exist or be empty; the caller
 * clones into a temporary directory and renames it into place) and check out
 * `revision`: a branch or tag through `--branch`; a commit by cloning and
 * then `git checkout --detach` (fetching the commit when a shallow clone
 * lacks it). A revision that is not on the remote is a `notfound` GitError.
 */
export async function clone(
  repo: string,
  dest: string,
  options: CloneOptions = {},
): Promise<CheckoutResult> {
  refuseOption("Repository URL", repo);
  const { revision, depth } = options;
  if (revision !== undefined) checkRevision(revision);
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) {
    throw new WrknvError(`Clone depth must be a positive whole number, not ${depth}`);
  }
  if (options.filter !== undefined) refuseOption("Clone filter", options.filter);
  const remaining = deadline(options.timeoutMs);
  const call = (cwd?: string): GitRunOptions => ({
    cwd,
    remote: true,
    signal: options.signal,
    timeoutMs: remaining(),
    interactive: options.interactive,
    onProgress: options.onProgress,
  });
  // A timeout in any step is reported as the whole budget running out.
  const timedOut = (args: readonly string[], r: RunResult) =>
    new GitError(`git clone timed out after ${seconds(options.timeoutMs ?? 0)}`, {
      kind: "network",
      args,
      stderr: r.stderr,
      timedOut: true,
    });
  const step = async (args: string[], cwd?: string): Promise<RunResult> => {
    const r = await gitRaw(args, call(cwd));
    if (r.timedOut) throw timedOut(args, r);
    if (r.code !== 0) throw failure(args, r);
    return r;
  };
  const base: CloneArgsOptions = {
    depth,
    filter: options.filter,
    reference: options.reference,
    progress: options.onProgress !== undefined,
  };

  if (revision === undefined || !isCommitId(revision)) {
    const args = cloneArgs(repo, dest, { ...base, branch: revision });
    const r = await gitRaw(args, call());
    if (r.timedOut) throw timedOut(args, r);
    if (r.code !== 0) {
      if (revision !== undefined && /remote branch .* not found in upstream/i.test(r.stderr)) {
        // Not a branch or tag: another ref the server advertises (pull/104/head)?
        const other = await checkoutAdvertisedRef(repo, dest, revision, { base, depth, step });
        if (other) return other;
        throw new GitError(`Revision ${revision} not found in ${redactUrl(repo)}`, {
          kind: "notfound",
          args,
          stderr: r.stderr,
        });
      }
      throw failure(args, r);
    }
    return await where(dest);
  }

  // A commit id (or a branch or tag whose name looks like one).
  await step(cloneArgs(repo, dest, { ...base, noCheckout: true }));
  const quiet = { signal: options.signal };
  let target: string | null = null;
  if (await refExists(dest, `refs/remotes/origin/${revision}`)) target = revision;
  else if (await refExists(dest, `refs/tags/${revision}`)) target = `refs/tags/${revision}`;
  else if (await revParse(dest, revision, quiet)) target = revision;
  if (target === null && isFullCommitId(revision)) {
    // Not reachable from what was cloned (a shallow clone, or a commit no
    // branch holds): servers allow fetching a commit by id (protocol v2).
    const args = ["fetch", "--quiet", ...(depth ? ["--depth", String(depth)] : [])];
    args.push("--end-of-options", "origin", revision);
    const r = await gitRaw(args, call(dest));
    if (r.timedOut) throw timedOut(args, r);
    if (await revParse(dest, revision, quiet)) target = revision;
  }
  if (target === null && depth !== undefined) {
    await step(["fetch", "--quiet", "--unshallow", "--tags", "origin"], dest);
    if (await revParse(dest, revision, quiet)) target = revision;
  }
  if (target === null) {
    // A locked commit that is nowhere upstream was most often never pushed (wrknv lock warns).
    const why = isFullCommitId(revision)
      ? ": no branch or tag there holds it, and the server would not fetch it by id (was it pushed?)"
      : "";
    throw new GitError(`Revision ${revision} not found in ${redactUrl(repo)}${why}`, {
      kind: "notfound",
    });
  }
  await step(["-c", "advice.detachedHead=false", "checkout", "--quiet", target, "--"], dest);
  return await where(dest);
}

/**
 * Check out a ref that is neither a branch nor a tag but that the server
 * advertises (GitHub's `pull/104/head`, Gerrit's `refs/changes/45/12345/2`,
 * as west and repo manifests name them): clone without a checkout, fetch the
 * ref, detach HEAD at it. Null when the server has no such ref (the clone
 * made is removed again).
 */
async function checkoutAdvertisedRef(
  repo: string,
  dest: string,
  ref: string,
  { base, depth, step }: {
    base: CloneArgsOptions;
    depth?: number;
    step: (args: string[], cwd?: string) => Promise<RunResult>;
  },
): Promise<CheckoutResult | null> {
  await step(cloneArgs(repo, dest, { ...base, noCheckout: true }));
  try {
    await step([
      "fetch",
      "--quiet",
      "--no-tags",
      ...(depth ? ["--depth", String(depth)] : []),
      "--end-of-options",
      "origin",
      ref,
    ], dest);
  } catch (error) {
    if (error instanceof GitError && /couldn't find remote ref/i.test(error.stderr)) {
      await Deno.remove(dest, { recursive: true }).catch(() => {});
      return null;
    }
    throw error;
  }
  await step([
    "-c",
    "advice.detachedHead=false",
    "checkout",
    "--quiet",
    "--detach",
    "FETCH_HEAD",
    "--",
  ], dest);
  return await where(dest);
}

/** HEAD and branch, from the repository's files when they are plain (no git started), else from git. */
async function where(path: string): Promise<CheckoutResult> {
  return await readHead(path) ??
    { head: await headCommit(path), branch: await currentBranch(path) };
}

async function refExists(path: string, ref: string): Promise<boolean> {
  const r = await gitRaw(["show-ref", "--verify", "--quiet", ref], { cwd: path });
  return r.code === 0;
}

/** Options for the commands that only read a local repository. */
export interface LocalOptions {
  /** Aborting ends git. */
  signal?: AbortSignal;
  /** Milliseconds before git is ended. */
  timeoutMs?: number;
}

/**
 * True when `path` is the top of a git working tree (not merely inside one:
 * a directory within the meta-repository is not a sibling's clone).
 */
export async function isRepo(path: string, options: LocalOptions = {}): Promise<boolean> {
  try {
    await Deno.lstat(`${path}/.git`);
  } catch {
    return false;
  }
  const r = await gitRaw(["rev-parse", "--show-toplevel"], { cwd: path, ...options });
  if (r.code !== 0) return false;
  try {
    return await Deno.realPath(r.stdout.trim()) === await Deno.realPath(path);
  } catch {
    return false;
  }
}

/** The URL of a remote as configured (no `insteadOf` rewriting), or null when there is none. */
export async function remoteUrl(
  path: string,
  options: LocalOptions & { name?: string } = {},
): Promise<string | null> {
  const name = options.name ?? "origin";
  checkRemoteName(name);
  const r = await gitRaw(["config", "--local", "--get", `remote.${name}.url`], {
    cwd: path,
    ...options,
  });
  if (r.code === 1) return null;
  if (r.code !== 0) throw failure(["config"], r);
  return r.stdout.trim();
}

/** Point remote `name` (default `origin`) at `url`, adding the remote when missing. */
export async function setRemoteUrl(
  path: string,
  url: string,
  options: LocalOptions & { name?: string } = {},
): Promise<void> {
  const name = options.name ?? "origin";
  checkRemoteName(name);
  refuseOption("Repository URL", url);
  const exists = await remoteUrl(path, { ...options, name }) !== null;
  await git(["remote", exists ? "set-url" : "add", "--", name, url], { cwd: path, ...options });
}

/**
 * The full sha of the commit that `rev` names (tags peeled), or null when it
 * names none. Any revision expression git accepts (`HEAD~1`, `@{upstream}`).
 */
export async function revParse(
  path: string,
  rev: string,
  options: LocalOptions = {},
): Promise<string | null> {
  return await answerOrNone(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    { cwd: path, ...options },
  );
}

/**
 * Run a git command that answers on stdout, or says "none" by exiting 1 in
 * silence (rev-parse --verify --quiet, merge-base): the trimmed answer, or
 * null; anything else throws a {@linkcode GitError}.
 */
async function answerOrNone(
  args: readonly string[],
  options: GitRunOptions,
): Promise<string | null> {
  const r = await gitRaw(args, options);
  if (r.code === 0) return r.stdout.trim();
  if (r.code === 1 && r.stderr.trim() === "") return null;
  throw failure(args, r);
}

/**
 * Where git keeps `name` (`info/exclude`, `hooks`) for the repository at
 * `path`, as an absolute path: inside `.git`, or wherever a `.git` file
 * (a worktree, a submodule) points.
 */
export async function gitPath(
  path: string,
  name: string,
  options: LocalOptions = {},
): Promise<string> {
  const r = await git(["rev-parse", "--path-format=absolute", "--git-path", name], {
    cwd: path,
    ...options,
  });
  return r.stdout.trim();
}

/**
 * What a version from git tags (setuptools-scm, hatch-vcs) would see: the
 * nearest tag reachable from HEAD (null when none), and whether the clone
 * is shallow (`--depth`), which hides older tags.
 */
export async function tagState(
  path: string,
  options: LocalOptions = {},
): Promise<{ nearestTag: string | null; shallow: boolean }> {
  const [described, shallow] = await Promise.all([
    gitRaw(["describe", "--tags", "--abbrev=0"], { cwd: path, ...options }),
    gitRaw(["rev-parse", "--is-shallow-repository"], { cwd: path, ...options }),
  ]);
  return {
    nearestTag: described.code === 0 ? described.stdout.trim() || null : null,
    shallow: shallow.code === 0 && shallow.stdout.trim() === "true",
  };
}

/** The full sha of HEAD, or null before the first commit. */
export function headCommit(path: string, options: LocalOptions = {}): Promise<string | null> {
  return revParse(path, "HEAD", options);
}

/**
 * The URL of `origin` and the commit HEAD is at in the clone at `path`
 * (null for each that is not there), as `remoteUrl` and `headCommit` give
 * them. Read from the clone's own files when they are in the plain layout
 * git writes and belong to this user; else git is asked, which also refuses
 * another user's repository as it would anywhere ("dubious ownership").
 */
export async function originAndHead(
  path: string,
  options: LocalOptions = {},
): Promise<{ origin: string | null; head: string | null }> {
  const gitDir = join(path, ".git");
  if (await ownedByMe(path) && await ownedByMe(gitDir)) {
    const [origin, files] = await Promise.all([
      readRemoteUrl(gitDir).catch(() => null),
      readHead(path).catch(() => null),
    ]);
    return {
      // Not in the file in plain form (or not there): git knows for sure.
      origin: origin ?? await remoteUrl(path, options).catch(noneUnlessRefused),
      head: files ? files.head : await headCommit(path, options).catch(noneUnlessRefused),
    };
  }
  const [origin, head] = await Promise.all([
    remoteUrl(path, options).catch(noneUnlessRefused),
    headCommit(path, options).catch(noneUnlessRefused),
  ]);
  return { origin, head };
}

/** True when `path` (a link followed, as git follows it) is this user's; false where that cannot be told. */
async function ownedByMe(path: string): Promise<boolean> {
  const uid = Deno.uid();
  if (uid === null) return false;
  try {
    return (await Deno.stat(path)).uid === uid;
  } catch {
    return false;
  }
}

/** The checked-out branch, or null when HEAD is detached. */
export async function currentBranch(
  path: string,
  options: LocalOptions = {},
): Promise<string | null> {
  const args = ["symbolic-ref", "--quiet", "--short", "HEAD"];
  const r = await gitRaw(args, { cwd: path, ...options });
  if (r.code === 0) return r.stdout.trim();
  if (r.code === 1) return null;
  throw failure(args, r);
}

/** The args of the one status command {@linkcode status} runs. */
export const STATUS_ARGS: readonly string[] = [
  "--no-optional-locks",
  "status",
  "--porcelain=v2",
  "--branch",
  "--show-stash",
  "--untracked-files=normal",
];

/**
 * Branch, upstream, ahead/behind, change counts and stash size, from ONE
 * `git status --porcelain=v2 --branch --show-stash` (which takes no optional
 * locks, so it never disturbs a git the user is running).
 */
export async function status(path: string, options: LocalOptions = {}): Promise<GitStatus> {
  const r = await git(STATUS_ARGS, { cwd: path, ...options });
  return parseStatusV2(r.stdout);
}

/**
 * {@linkcode status} of many repositories, with `jobs` processes started from
 * here instead of one per repository: each is a shell that runs the same git
 * status in its share of the paths, one after another, and marks the end of
 * each one's output (and its exit code) with NULs, which neither porcelain v2
 * nor git's messages contain. Starting a process blocks wrknv's one thread
 * until the child has exec'd (~0.3–1 ms each, more on a loaded machine),
 * which a small shell's fork does not; each git is still the one process of
 * its repository. Results in the order of `paths`: a status, or the
 * error its git failed with. Where there is no POSIX shell
 * (Windows), one git per path as {@linkcode status} runs it.
 */
export async function statusEach(
  paths: readonly string[],
  options: LocalOptions & { jobs: number },
): Promise<(GitStatus | Error)[]> {
  const { signal } = options;
  if (Deno.build.os === "windows") {
    const settled = await pool(paths, (path) => status(path, { signal }), {
      limit: options.jobs,
      signal,
    });
    return settled.map((r) => r.status === "fulfilled" ? r.value : r.reason as Error);
  }
  const jobs = Math.max(1, Math.min(options.jobs, paths.length));
  const shares: number[][] = Array.from({ length: jobs }, () => []);
  paths.forEach((_, i) => shares[i % jobs].push(i));
  const args = STATUS_ARGS.map(shellQuote).join(" ");
  const script =
    `for d do git -C "$d" ${args}; c=$?; printf '\\0%s\\0' "$c"; printf '\\0' >&2; done`;
  const out: (GitStatus | Error)[] = new Array(paths.length);
  await Promise.all(shares.map(async (share) => {
    if (share.length === 0) return;
    let r: RunResult;
    try {
      r = await run(["sh", "-c", script, "sh", ...share.map((i) => paths[i])], {
        env: gitEnv(),
        signal,
      });
    } catch (error) {
      for (const index of share) out[index] = error as Error;
      return;
    }
    const stdout = r.stdout.split("\0");
    const stderr = r.stderr.split("\0");
    share.forEach((index, k) => {
      const code = stdout[2 * k + 1];
      if (code === undefined || !/^\d+$/.test(code)) {
        out[index] = r.aborted
          ? interruption(signal, "git status")
          : failure(STATUS_ARGS, { ...r, code: r.code === 0 ? 1 : r.code });
        return;
      }
      const one = { ...r, code: Number(code), stdout: stdout[2 * k], stderr: stderr[k] ?? "" };
      const owned = one.code !== 0 ? dubiousOwnership(one.stderr) : null;
      out[index] = one.code === 127 && /not found/.test(one.stderr)
        ? new WrknvError("git not found on PATH", { hint: "Install git or add it to PATH" })
        : owned !== null
        ? ownershipError(owned, STATUS_ARGS, one.stderr)
        : one.code !== 0
        ? failure(STATUS_ARGS, one)
        : parseStatusV2(one.stdout);
    });
  }));
  return out;
}

/**
 * True when the working tree has staged, unstaged or conflicted changes, or
 * (unless `untracked: false`) untracked files.
 */
export async function isDirty(
  path: string,
  options: LocalOptions & { untracked?: boolean } = {},
): Promise<boolean> {
  const s = await status(path, options);
  return s.staged + s.unstaged + s.conflicted > 0 ||
    (options.untracked !== false && s.untracked > 0);
}

/**
 * Check out `rev`: a local branch; a remote branch (a tracking branch is
 * made); a tag or commit (HEAD detached). Fails as git does when local
 * changes would be overwritten.
 */
export async function checkout(
  path: string,
  rev: string,
  options: LocalOptions = {},
): Promise<CheckoutResult> {
  checkRevision(rev);
  await git(["-c", "advice.detachedHead=false", "checkout", "--quiet", rev, "--"], {
    cwd: path,
    ...options,
  });
  return await where(path);
}

/** Options for {@linkcode fetch}. */
export interface FetchOptions extends GitCallOptions {
  /** The remote to fetch from (default `origin`). */
  remote?: string;
  /** Refspecs (branch names, commits); the remote's configured ones when empty. */
  refspecs?: string[];
  /** `--depth N` (deepen or fetch shallow). */
  depth?: number;
  /** true: `--tags`; false: `--no-tags`; unset: git's default. */
  tags?: boolean;
  /** `--prune`: drop remote-tracking branches deleted on the remote. */
  prune?: boolean;
}

/** `git fetch` from a remote. */
export async function fetch(path: string, options: FetchOptions = {}): Promise<void> {
  const remote = options.remote ?? "origin";
  checkRemoteName(remote);
  const refspecs = options.refspecs ?? [];
  for (const r of refspecs) refuseOption("Refspec", r);
  const args = ["fetch", options.onProgress ? "--progress" : "--quiet"];
  if (options.prune) args.push("--prune");
  if (options.tags === true) args.push("--tags");
  if (options.tags === false) args.push("--no-tags");
  if (options.depth !== undefined) args.push("--depth", String(options.depth));
  args.push("--end-of-options", remote, ...refspecs);
  await git(args, { ...options, cwd: path, remote: true });
}

/** True when commit `ancestor` is an ancestor of (or equal to) commit `descendant`. */
export async function isAncestor(
  path: string,
  commits: { ancestor: string; descendant: string },
  options: LocalOptions = {},
): Promise<boolean> {
  refuseOption("Revision", commits.ancestor);
  refuseOption("Revision", commits.descendant);
  const args = ["merge-base", "--is-ancestor", commits.ancestor, commits.descendant];
  const r = await gitRaw(args, { cwd: path, ...options });
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw failure(args, r);
}

/**
 * The remote-tracking branches (`origin/main`) that contain `commit`, at
 * most `limit` (default 1): empty when the commit was never pushed, as far
 * as the last fetch knows.
 */
export async function remoteBranchesContaining(
  path: string,
  commit: string,
  options: LocalOptions & { limit?: number } = {},
): Promise<string[]> {
  refuseOption("Revision", commit);
  const args = [
    "for-each-ref",
    `--count=${options.limit ?? 1}`,
    "--format=%(refname:short)",
    `--contains=${commit}`,
    "refs/remotes/",
  ];
  const r = await git(args, { cwd: path, ...options });
  return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

/** What {@linkcode mergeFfOnly} did. */
export interface MergeResult {
  /** `updated`: fast-forwarded; `up-to-date`: nothing to take (HEAD may be ahead); `diverged`: both sides have commits, nothing changed. */
  status: "updated" | "up-to-date" | "diverged";
  /** HEAD before (null on an unborn branch). */
  before: string | null;
  /** HEAD after. */
  after: string | null;
}

/**
 * Fast-forward HEAD to `ref` (default the upstream, `@{upstream}`), never
 * making a merge commit. Diverged history is reported, not an error; a
 * missing upstream or local changes in the way throw a {@linkcode GitError}.
 */
export async function mergeFfOnly(
  path: string,
  options: LocalOptions & { ref?: string } = {},
): Promise<MergeResult> {
  const ref = options.ref ?? "@{upstream}";
  refuseOption("Revision", ref);
  const local = { signal: options.signal, timeoutMs: options.timeoutMs };
  const before = await headCommit(path, local);
  const resolved = await git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], {
    cwd: path,
    ...local,
  });
  const target = resolved.stdout.trim();
  if (before !== null) {
    if (await isAncestor(path, { ancestor: target, descendant: before }, local)) {
      return { status: "up-to-date", before, after: before };
    }
    if (!(await isAncestor(path, { ancestor: before, descendant: target }, local))) {
      return { status: "diverged", before, after: before };
    }
  }
  await git(["merge", "--ff-only", "--quiet", target], { cwd: path, ...local });
  return { status: "updated", before, after: await headCommit(path, local) };
}

/**
 * Rebase the branch checked out in `path` onto `onto` (default its upstream).
 * A rebase that stops half-way (a conflict) is aborted and reported as
 * `"conflict"`, so the branch and its files are as they were; one that is
 * interrupted is aborted too, and one that git refused to start (a hook, a
 * dirty tree) is thrown with git's reason.
 */
export async function rebase(
  path: string,
  options: LocalOptions & { onto?: string } = {},
): Promise<"rebased" | "conflict"> {
  const onto = options.onto ?? "@{upstream}";
  refuseOption("Revision", onto);
  const abort = () => gitRaw(["rebase", "--abort"], { cwd: path }).catch(() => {});
  let r: RunResult;
  try {
    r = await gitRaw(["rebase", "--quiet", onto], {
      cwd: path,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
  } catch (error) {
    await abort();
    throw error;
  }
  if (r.code === 0) return "rebased";
  const stopped = await Promise.all(
    ["rebase-merge", "rebase-apply"].map((name) =>
      gitPath(path, name).then((p) => exists(p), () => false)
    ),
  );
  await abort();
  if (r.timedOut) {
    throw new GitError(`git rebase timed out after ${seconds(options.timeoutMs ?? 0)}`, {
      kind: "other",
      args: ["rebase"],
      stderr: r.stderr,
      timedOut: true,
    });
  }
  if (!stopped.includes(true)) throw failure(["rebase"], r);
  return "conflict";
}

/** One ref, as {@linkcode refTargets} lists it. */
export interface RefTarget {
  /** Its full name (`refs/tags/v1`). */
  ref: string;
  /** The commit it names: an annotated tag's peeled target, else its object. */
  commit: string;
}

/** Every ref of the repository in `path` (branches, tags, remote-tracking refs, stash). */
export async function refTargets(path: string, options: LocalOptions = {}): Promise<RefTarget[]> {
  const r = await git(["for-each-ref", "--format=%(refname) %(*objectname) %(objectname)"], {
    cwd: path,
    ...options,
  });
  return r.stdout.split("\n").filter(Boolean).map((line) => {
    const [ref, peeled, object] = line.split(" ");
    return { ref, commit: peeled || object };
  });
}

/** Write a git bundle of `refs` of the repository in `path` to `file`. */
export async function createBundle(
  path: string,
  file: string,
  refs: readonly string[],
  options: LocalOptions = {},
): Promise<void> {
  for (const ref of refs) refuseOption("Ref", ref);
  await git(["bundle", "create", "--quiet", file, ...refs], { cwd: path, ...options });
}

/** `git --version`'s line (`git version 2.39.5`), or null when git cannot be run. */
export async function version(options: LocalOptions = {}): Promise<string | null> {
  const r = await gitRaw(["--version"], { timeoutMs: 10_000, ...options }).catch(() => null);
  return r && r.code === 0 ? r.stdout.trim() : null;
}

/**
 * Run a git command that makes repositories of wrknv's own (the demo's), with
 * `env` added (an author, say); throws a {@linkcode GitError} when it fails.
 */
export async function runInOwnRepo(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<void> {
  await git(args, { cwd, extraEnv: env });
}

/** The refs a mirror keeps: branches and tags (not `refs/pull/*` and the like, which can be huge). */
export const MIRROR_REFSPECS: readonly string[] = [
  "+refs/heads/*:refs/heads/*",
  "+refs/tags/*:refs/tags/*",
];

/** Where {@linkcode updateMirror} keeps the commit the remote's HEAD was at. */
export const MIRROR_HEAD_REF = "refs/wrknv/remote-head";

/**
 * Bring the bare mirror at `path` up to date from `url` (always the URL given,
 * never what the mirror's config says): branches and tags, pruned, in one
 * atomic ref update, so a killed fetch leaves the old refs or the new ones.
 * The remote's HEAD commit goes to {@linkcode MIRROR_HEAD_REF} (so a changed
 * default branch can be noticed; an empty remote has none). Garbage
 * collection, when git wants it, runs in the foreground (never detached), so
 * it ends before the caller's lock on the mirror is released.
 */
export async function updateMirror(
  path: string,
  url: string,
  options: GitCallOptions = {},
): Promise<void> {
  refuseOption("Repository URL", url);
  const remaining = deadline(options.timeoutMs);
  const fetch = (head: boolean) =>
    git([
      "-c",
      "gc.autoDetach=false",
      "-c",
      "maintenance.autoDetach=false",
      "fetch",
      "--quiet",
      "--prune",
      "--atomic",
      "--no-write-fetch-head",
      "--end-of-options",
      url,
      ...MIRROR_REFSPECS,
      ...(head ? [`+HEAD:${MIRROR_HEAD_REF}`] : []),
    ], {
      cwd: path,
      remote: true,
      ownRepo: true,
      signal: options.signal,
      timeoutMs: remaining(),
    });
  try {
    await fetch(true);
  } catch (error) {
    // An empty remote has no HEAD to fetch.
    if (!(error instanceof GitError) || !/couldn't find remote ref HEAD/i.test(error.stderr)) {
      throw error;
    }
    await fetch(false);
  }
}

/**
 * The branch the remote's HEAD points at (`main` for `refs/heads/main`), from
 * `git ls-remote --symref`; null when HEAD is detached or the remote is empty.
 */
export async function remoteHeadBranch(
  url: string,
  options: GitCallOptions = {},
): Promise<string | null> {
  refuseOption("Repository URL", url);
  const r = await git(["ls-remote", "--symref", "--", url, "HEAD"], {
    remote: true,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(r.stdout);
  return m ? m[1] : null;
}

/** Point HEAD of the repository at `gitDir` (a bare mirror) at `refs/heads/<branch>`. */
export async function setHeadBranch(
  gitDir: string,
  branch: string,
  options: LocalOptions = {},
): Promise<void> {
  checkRevision(branch);
  await git(["symbolic-ref", "HEAD", `refs/heads/${branch}`], { cwd: gitDir, ...options });
}

/** The best common ancestor of two commits, or null when their histories never meet. */
export async function mergeBase(
  path: string,
  a: string,
  b: string,
  options: LocalOptions = {},
): Promise<string | null> {
  refuseOption("Revision", a);
  refuseOption("Revision", b);
  return await answerOrNone(["merge-base", a, b], { cwd: path, ...options });
}

/** The number of commits reachable from `to` and not from `from` (`git rev-list --count from..to`). */
export async function countCommits(
  path: string,
  range: { from: string; to: string },
  options: LocalOptions = {},
): Promise<number> {
  refuseOption("Revision", range.from);
  refuseOption("Revision", range.to);
  const r = await git(["rev-list", "--count", `${range.from}..${range.to}`, "--"], {
    cwd: path,
    ...options,
  });
  return Number(r.stdout.trim());
}

/** True when the trees of commits `from` and `to` differ (a revert back to `from` does not). */
export async function treesDiffer(
  path: string,
  range: { from: string; to: string },
  options: LocalOptions = {},
): Promise<boolean> {
  refuseOption("Revision", range.from);
  refuseOption("Revision", range.to);
  const args = ["diff", "--quiet", "--no-ext-diff", "--no-textconv", range.from, range.to, "--"];
  const r = await gitRaw(args, { cwd: path, ...options });
  if (r.code === 0) return false;
  if (r.code === 1) return true;
  throw failure(args, r);
}

/** Where branch `name` exists: `local` (refs/heads), `remote` (only origin's), or null. */
export async function findBranch(path: string, name: string): Promise<"local" | "remote" | null> {
  checkBranchName(name);
  if (await refExists(path, `refs/heads/${name}`)) return "local";
  if (await refExists(path, `refs/remotes/origin/${name}`)) return "remote";
  return null;
}

function checkBranchName(name: string): void {
  const problem = branchNameProblem(name);
  if (problem) throw new WrknvError(`Branch ${problem}`);
}

/**
 * Make branch `name` at HEAD and switch to it (`git switch -c`); the working
 * tree and index stay as they are.
 */
export async function createBranch(
  path: string,
  name: string,
  options: LocalOptions = {},
): Promise<void> {
  checkBranchName(name);
  await git(["switch", "--quiet", "--no-track", "-c", name], { cwd: path, ...options });
}

/**
 * Switch to branch `name`: a local one, or a new one tracking `origin/name`.
 * Fails as git does when a change or an untracked file would be overwritten.
 */
export async function switchBranch(
  path: string,
  name: string,
  options: LocalOptions = {},
): Promise<void> {
  checkBranchName(name);
  await git(["switch", "--quiet", name], { cwd: path, ...options });
}

/** How {@linkcode grep} matches. */
export interface GrepOptions extends LocalOptions {
  /** Limit the search to these pathspecs (`-- PATHSPEC...`). */
  pathspec?: readonly string[];
  /** `-i` */
  ignoreCase?: boolean;
  /** `-w` */
  word?: boolean;
  /** `-F`: the pattern is a fixed string. */
  fixed?: boolean;
  /** `-E`: the pattern is an extended regular expression. */
  extended?: boolean;
}

/**
 * `git grep` in the tracked files of the working tree: every matching line
 * (binary files skipped), empty when nothing matches. A bad pattern or
 * pathspec throws a {@linkcode GitError}.
 */
export async function grep(
  path: string,
  pattern: string,
  options: GrepOptions = {},
): Promise<GrepMatch[]> {
  const args = ["grep", "-z", "-n", "-I", "--no-color"];
  if (options.ignoreCase) args.push("-i");
  if (options.word) args.push("-w");
  if (options.fixed) args.push("-F");
  if (options.extended) args.push("-E");
  args.push("-e", pattern, "--", ...(options.pathspec ?? []));
  const r = await gitRaw(args, { cwd: path, signal: options.signal, timeoutMs: options.timeoutMs });
  if (r.code === 1 && r.stderr.trim() === "") return [];
  if (r.code !== 0) throw failure(args, r);
  return parseGrep(r.stdout);
}
