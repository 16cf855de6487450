/**
 * Pure parsing of git's output: `git status --porcelain=v2`, error messages,
 * revision names. No I/O here; table-tested in tests/git_test.ts.
 *
 * @module
 */

/** The state of a working tree, from one `git status --porcelain=v2 --branch --show-stash`. */
export interface GitStatus {
  /** The checked-out branch, or null when HEAD is detached. */
  branch: string | null;
  /** Full sha of HEAD, or null when the branch has no commit yet. */
  head: string | null;
  /** The upstream branch (e.g. `origin/main`), or null when none is set. */
  upstream: string | null;
  /** True when an upstream is set but its ref is gone (deleted on the remote and pruned). */
  upstreamGone: boolean;
  /** Commits on HEAD not on the upstream (0 without an upstream). */
  ahead: number;
  /** Commits on the upstream not on HEAD (0 without an upstream). */
  behind: number;
  /** Paths with changes in the index. */
  staged: number;
  /** Tracked paths with changes in the working tree not in the index. */
  unstaged: number;
  /** Untracked paths (as `git status` lists them: a new directory counts once). */
  untracked: number;
  /** Paths with merge conflicts. */
  conflicted: number;
  /** Entries in the stash. */
  stash: number;
}

/** The status of a repository with nothing in it: no branch, no commit, no changes. */
export function emptyStatus(): GitStatus {
  return {
    branch: null,
    head: null,
    upstream: null,
    upstreamGone: false,
    ahead: 0,
    behind: 0,
    staged: 0,
    unstaged: 0,
    untracked: 0,
    conflicted: 0,
    stash: 0,
  };
}

/**
 * Parse the output of `git status --porcelain=v2 --branch --show-stash`
 * (lines, not `-z`). Unknown lines are ignored, so newer git versions that add
 * headers still parse.
 */
export function parseStatusV2(text: string): GitStatus {
  const s = emptyStatus();
  let sawAb = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("# ")) {
      const [key, ...rest] = line.slice(2).split(" ");
      const value = rest.join(" ");
      switch (key) {
        case "branch.oid":
          s.head = value === "(initial)" ? null : value;
          break;
        case "branch.head":
          s.branch = value === "(detached)" ? null : value;
          break;
        case "branch.upstream":
          s.upstream = value;
          break;
        case "branch.ab": {
          const m = /^\+(\d+) -(\d+)$/.exec(value);
          if (m) {
            s.ahead = Number(m[1]);
            s.behind = Number(m[2]);
            sawAb = true;
          }
          break;
        }
        case "stash":
          s.stash = Number(value) || 0;
          break;
      }
      continue;
    }
    switch (line[0]) {
      case "1":
      case "2": {
        const xy = line.slice(2, 4);
        if (xy[0] !== "." && xy[0] !== undefined) s.staged++;
        if (xy[1] !== "." && xy[1] !== undefined) s.unstaged++;
        break;
      }
      case "u":
        s.conflicted++;
        break;
      case "?":
        s.untracked++;
        break;
    }
  }
  // git prints branch.upstream but no branch.ab when the upstream ref is missing.
  s.upstreamGone = s.upstream !== null && !sawAb;
  return s;
}

/** Why a git command against a remote failed, as far as its messages tell. */
export type GitErrorKind = "auth" | "network" | "notfound" | "ownership" | "other";

/**
 * The repository git refused because another user owns it ("detected dubious
 * ownership in repository at '/x'", git 2.35.2 and later), or null.
 */
export function dubiousOwnership(stderr: string): string | null {
  const m = /detected dubious ownership in repository at '([^'\n]*)'/.exec(stderr);
  return m ? m[1] : null;
}

const AUTH: RegExp[] = [
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /authentication failed/i,
  /permission denied \((publickey|password|keyboard-interactive|gssapi)/i,
  /permission denied, please try again/i,
  /host key verification failed/i,
  /invalid username or password/i,
  /http basic: access denied/i,
  /support for password authentication was removed/i,
  /the requested url returned error: 40[13]\b/i,
  /\berror: 40[13]\b/i,
  /permission to \S+ denied to/i,
  /access denied/i,
  /no such identity/i,
  /sign_and_send_pubkey: signing failed/i,
  /too many authentication failures/i,
];

// "access denied or repository not exported" (git daemon) is a not-found
// answer, so not-found patterns that include "access denied" come first.
const NOTFOUND: RegExp[] = [
  /repository not exported/i,
  /no such repository/i,
  /does not appear to be a git repository/i,
  /repository (not found|'.*' not found)/i,
  /repository '.*' does not exist/i,
  /project you were looking for could not be found/i,
  /remote branch .* not found in upstream/i,
  /couldn't find remote ref/i,
  /not our ref/i,
  /server does not allow request for unadvertised object/i,
  /did not match any file\(s\) known to git/i,
  /invalid reference: /i,
  /unknown revision or path not in the working tree/i,
  /the requested url returned error: 404\b/i,
];

const NETWORK: RegExp[] = [
  /could not resolve host/i,
  /could not resolve hostname/i,
  /could not resolve proxy/i,
  /temporary failure in name resolution/i,
  /name or service not known/i,
  /nodename nor servname provided/i,
  /connection refused/i,
  /connection timed out/i,
  /operation timed out/i,
  /timed out after/i,
  /connection reset/i,
  /connection closed by/i,
  /network is unreachable/i,
  /no route to host/i,
  /failed to connect to/i,
  /couldn't connect to server/i,
  /unable to connect to/i,
  /early eof/i,
  /the remote end hung up unexpectedly/i,
  /rpc failed/i,
  /unexpected disconnect/i,
  /gnutls_handshake\(\) failed/i,
  /ssl_connect|ssl_error|openssl ssl_/i,
  /ssl certificate problem/i,
  /proxy connect aborted/i,
  /the requested url returned error: 5\d\d\b/i,
  /kex_exchange_identification/i,
  /broken pipe/i,
];

/**
 * Classify git's standard error from a failed remote command: `auth` (want
 * credentials: worth retrying with a terminal), `network` (host unreachable,
 * connection broken or timed out), `notfound` (the repository or revision
 * does not exist, or is not visible), or `other`.
 */
export function classifyGitError(stderr: string): GitErrorKind {
  if (dubiousOwnership(stderr) !== null) return "ownership";
  // Not-found patterns first: git daemon's "access denied or repository not
  // exported" is about the repository, not credentials.
  if (NOTFOUND.slice(0, 2).some((re) => re.test(stderr))) return "notfound";
  if (AUTH.some((re) => re.test(stderr))) return "auth";
  if (NOTFOUND.some((re) => re.test(stderr))) return "notfound";
  if (NETWORK.some((re) => re.test(stderr))) return "network";
  return "other";
}

// Follow-up lines that say less than the line before them.
const GENERIC = [
  /^could not read from remote repository\.?$/i,
  /^the remote end hung up unexpectedly$/i,
  /^fetch-pack: invalid index-pack output$/i,
  /^index-pack failed$/i,
];

/**
 * The line of git's standard error that best says what went wrong, without
 * its `fatal: ` / `error: ` prefix: the last `fatal:`/`error:` line, skipping
 * generic follow-ups such as "Could not read from remote repository" in
 * favour of the line before them; the last non-empty line when there is no
 * such line; null for empty output.
 */
export function lastErrorLine(stderr: string): string | null {
  const lines = stderr.split(/\r?\n|\r/).map((l) => l.trim()).filter((l) =>
    l.length > 0 && !/^hint:/i.test(l)
  );
  if (lines.length === 0) return null;
  const strip = (l: string) => l.replace(/^(?:\[\d+\] )?(?:fatal|error): /i, "");
  const isError = (l: string) => /^(?:\[\d+\] )?(?:fatal|error): /i.test(l);
  const errors = lines.map((l, i) => ({ l, i })).filter(({ l }) => isError(l));
  if (errors.length === 0) return strip(lines[lines.length - 1]);
  for (let k = errors.length - 1; k >= 0; k--) {
    const text = strip(errors[k].l);
    if (!GENERIC.some((re) => re.test(text))) return text;
  }
  // Only generic errors: the line just before the first of them (e.g.
  // "git@host: Permission denied (publickey).") says more.
  const first = errors[0].i;
  const before = lines.slice(0, first).filter((l) =>
    !/^(cloning into|remote: (counting|compressing|enumerating|total))/i.test(l)
  );
  if (before.length > 0) return strip(before[before.length - 1]);
  return strip(errors[errors.length - 1].l);
}

/** True when `rev` looks like a full or abbreviated commit id (7 to 64 hex digits). */
export function isCommitId(rev: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(rev);
}

/** True when `rev` is a full sha-1 or sha-256 commit id. */
export function isFullCommitId(rev: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(rev);
}

/**
 * Why a revision (branch, tag or commit) cannot be passed to git, or null
 * when it can. Refuses what git could read as an option and what no ref name
 * may hold.
 */
export function revisionProblem(rev: string): string | null {
  if (rev.length === 0) return "is empty";
  if (rev.startsWith("-")) return `"${rev}" begins with "-" and could be read as an option`;
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(rev)) {
    return `"${rev}" holds a character that no branch, tag or commit name may hold`;
  }
  if (rev.includes("..") || rev.includes("@{")) {
    return `"${rev}" is a revision range or expression, not a branch, tag or commit`;
  }
  return null;
}

/**
 * Why `name` cannot be a new branch, or null when it can: what
 * {@linkcode revisionProblem} refuses, and the rest of git's ref-name rules
 * (`git check-ref-format --branch`): no part beginning with `.` or ending in
 * `.lock`, no `//`, no trailing `/` or `.`, not `@`.
 */
export function branchNameProblem(name: string): string | null {
  const problem = revisionProblem(name);
  if (problem) return problem;
  if (name === "@" || name === "HEAD") return `"${name}" is not a branch name git allows`;
  if (
    name.endsWith("/") || name.endsWith(".") || name.includes("//") ||
    name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))
  ) {
    return `"${name}" is not a branch name git allows (see git check-ref-format)`;
  }
  return null;
}

/** One matching line from `git grep`. */
export interface GrepMatch {
  /** The file, relative to the repository's top. */
  file: string;
  /** Line number, from 1. */
  line: number;
  /** The line's text, without its newline. */
  text: string;
}

/**
 * Parse `git grep -z -n` output: `file NUL line NUL text LF` for each match.
 * File names are read up to their NUL, so names holding newlines or colons
 * survive (binary files are left out by `-I`). A record whose line number
 * is not a number is skipped; a cut-off tail is left out.
 */
export function parseGrep(output: string): GrepMatch[] {
  const out: GrepMatch[] = [];
  let i = 0;
  while (i < output.length) {
    const a = output.indexOf("\0", i);
    const b = a < 0 ? -1 : output.indexOf("\0", a + 1);
    if (a < 0 || b < 0) break;
    let end = output.indexOf("\n", b + 1);
    if (end < 0) end = output.length;
    const line = Number(output.slice(a + 1, b));
    if (Number.isInteger(line) && line > 0) {
      out.push({ file: output.slice(i, a), line, text: output.slice(b + 1, end) });
      i = end + 1;
    } else {
      // Not "file NUL n NUL": skip to the line after the first NUL's line.
      const skip = output.indexOf("\n", i);
      i = skip < 0 ? output.length : skip + 1;
    }
  }
  return out;
}
