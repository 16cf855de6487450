/**
 * `wrknv affected`: the siblings that changed since a base (the commit in
 * wrknv.lock, the upstream branch, or a ref), and every sibling that depends
 * on one of them, in install order.
 *
 * Per sibling, the base is the merge base of HEAD and the given commit (as
 * a pull request's diff is), so commits that arrived upstream since are not
 * counted as this sibling's change. A sibling changed when the tree at HEAD
 * differs from the base's, or (unless `committed`) when it has uncommitted
 * changes or untracked files. Where no base can be found (no lock entry, no
 * upstream, a ref it lacks), the sibling counts as changed and a note says
 * why: testing too much is safe, testing too little is not.
 *
 * @module
 */
import { join } from "node:path";
import type { Sibling, Workspace } from "../config/types.ts";
import { readLock } from "../config/lock.ts";
import { ConfigError } from "../errors.ts";
import * as git from "../git/mod.ts";
import { affectedBy, buildGraph, type GraphNode, subgraph, topoLayers } from "../graph/mod.ts";
import { pool } from "../proc/mod.ts";
import { type Pyproject, readPyproject } from "../python/pep.ts";
import { readText } from "../fs.ts";
import { type Selection, selectSiblings } from "./select.ts";

/** Options for {@link affected}. */
export interface AffectedOptions {
  /** `lock`, `upstream` (the default) or a ref (branch, tag, commit) in every sibling. */
  since?: string;
  /** Count commits only, not uncommitted changes. */
  committed?: boolean;
  /** Follow extras and dependency groups as well as hard dependencies. */
  withExtras?: boolean;
  /** Which siblings to report (the graph is always the whole workspace's). */
  selection?: Selection;
  /** git commands at once (default 8). */
  jobs?: number;
  /** Cancels. */
  signal?: AbortSignal;
}

/** How one sibling changed. */
export interface SiblingChange {
  /** Sibling name. */
  name: string;
  /** What it was compared with: `wrknv.lock`, `origin/main`, the ref given. */
  against: string;
  /** The merge base compared with, or null when none was found. */
  base: string | null;
  /** Commits on HEAD since the base. */
  commits: number;
  /** Changed and untracked files not committed (0 with `committed`). */
  uncommitted: number;
  /** Why it counts as changed although no base was found. */
  note?: string;
}

/** What {@link affected} found. */
export interface AffectedResult {
  /** The base asked for: `lock`, `upstream` or the ref. */
  since: string;
  /** The selected siblings that changed, in install order. */
  changed: string[];
  /** The selected siblings that changed or depend on one that did, in install order. */
  affected: string[];
  /** `affected` as install levels: each needs only earlier ones. */
  order: string[][];
  /** For each affected sibling, the dependencies that lead to a changed one (empty if changed). */
  why: Record<string, string[]>;
  /** How each changed sibling changed, in install order. */
  changes: SiblingChange[];
  /** The graph walked (hard and soft edges), for rendering paths. */
  nodes: GraphNode[];
  /** Siblings whose pyproject.toml could not be read: what they depend on is unknown. */
  unreadable: { name: string; error: string }[];
  /** Selected siblings not cloned (never changed; affected only through depends_on). */
  missing: string[];
}

/** The default parallelism of the git commands. */
const JOBS = 8;

/** A sibling's pyproject.toml: null when it has none, an Error when it cannot be read. */
async function readMeta(
  ws: Workspace,
  s: Sibling,
  all: boolean,
): Promise<Pyproject | null | Error> {
  if (!s.install) return null;
  const text = await readText(join(s.path, "pyproject.toml"));
  if (text === null) return null;
  try {
    const extras = all ? readPyproject(text, { extras: [] }).extrasAvailable : ws.python.extras;
    return readPyproject(text, { extras });
  } catch (error) {
    return error as Error;
  }
}

/** The workspace's dependency graph, and the siblings whose pyproject.toml could not be read. */
export interface WorkspaceGraph {
  /** The nodes, every sibling's, in file order. */
  nodes: GraphNode[];
  /** Siblings whose dependencies are unknown, with why. */
  unreadable: { name: string; error: string }[];
}

/**
 * The dependency graph of every sibling, Python or not: non-Python siblings
 * take part through `depends_on` only. `allExtras` reads every extra, not
 * only the workspace's.
 */
export async function workspaceGraph(
  ws: Workspace,
  options: { allExtras?: boolean } = {},
): Promise<WorkspaceGraph> {
  const metas = await Promise.all(
    ws.siblings.map((s) => readMeta(ws, s, options.allExtras ?? false)),
  );
  const nodes = buildGraph(
    ws.siblings.map((s) => ({
      name: s.name,
      index: s.index,
      layer: s.layer,
      dependsOn: s.dependsOn,
      python: s.install,
    })),
    metas.map((m) => m instanceof Error ? null : m),
  ).nodes;
  const unreadable = ws.siblings.flatMap((s, i) => {
    const m = metas[i];
    return m instanceof Error ? [{ name: s.name, error: m.message }] : [];
  });
  return { nodes, unreadable };
}

function message(error: unknown): string {
  return error instanceof git.GitError
    ? (git.lastErrorLine(error.stderr) ?? error.message)
    : (error as Error).message;
}

/** What to compare with: a revision and its name, or a note saying why there is none. */
function baseOf(
  s: Sibling,
  since: string,
  st: git.GitStatus,
  lock: Map<string, string> | null,
): { rev: string; against: string; missing: string } | { note: string; against: string } {
  if (since === "lock") {
    const locked = lock!.get(s.name);
    if (!locked) return { against: "wrknv.lock", note: "not in wrknv.lock" };
    return {
      rev: locked,
      against: "wrknv.lock",
      missing: `its locked commit ${locked.slice(0, 7)} is not in the clone (run wrknv sync)`,
    };
  }
  if (since === "upstream") {
    if (st.upstream !== null && !st.upstreamGone) {
      return { rev: "@{upstream}", against: st.upstream, missing: `${st.upstream} is gone` };
    }
    return {
      rev: "refs/remotes/origin/HEAD",
      against: "origin's default branch",
      missing: st.branch === null
        ? "detached, and origin has no default branch here"
        : `branch ${st.branch} has no upstream, and origin has no default branch here`,
    };
  }
  return { rev: since, against: since, missing: `has no ${since}` };
}

async function changeOf(
  s: Sibling,
  since: string,
  lock: Map<string, string> | null,
  options: AffectedOptions,
): Promise<SiblingChange | null> {
  const signal = options.signal;
  const st = await git.status(s.path, { signal });
  const uncommitted = options.committed
    ? 0
    : st.staged + st.unstaged + st.conflicted + st.untracked;
  const base = baseOf(s, since, st, lock);
  const change = { name: s.name, against: base.against, commits: 0, uncommitted };
  if ("note" in base) return { ...change, base: null, note: base.note };
  if (st.head === null) return { ...change, base: null, note: "has no commit yet" };
  let mb: string | null;
  try {
    mb = await git.mergeBase(s.path, base.rev, st.head, { signal });
  } catch (error) {
    if (!(error instanceof git.GitError) || !/not a valid|no upstream/i.test(error.stderr)) {
      throw error;
    }
    return { ...change, base: null, note: base.missing };
  }
  if (mb === null) {
    return { ...change, base: null, note: `shares no history with ${base.against}` };
  }
  // HEAD is the merge base (the usual case): no commit of its own since.
  if (mb === st.head) return uncommitted > 0 ? { ...change, base: mb } : null;
  const range = { from: mb, to: st.head };
  const [commits, differs] = await Promise.all([
    git.countCommits(s.path, range, { signal }),
    git.treesDiffer(s.path, range, { signal }),
  ]);
  return differs || uncommitted > 0 ? { ...change, base: mb, commits } : null;
}

/**
 * What changed since `options.since`, and what that affects.
 *
 * @throws {ConfigError} for `--since lock` without a wrknv.lock, or a ref git could misread
 */
export async function affected(
  ws: Workspace,
  options: AffectedOptions = {},
): Promise<AffectedResult> {
  const since = options.since ?? "upstream";
  // deno-lint-ignore no-control-regex
  if (since === "" || since.startsWith("-") || /[\x00-\x20\x7f]/.test(since)) {
    throw new ConfigError(
      `--since: expected lock, upstream or a branch, tag or commit, got ${JSON.stringify(since)}`,
    );
  }
  const selected = new Set(selectSiblings(ws, options.selection).map((s) => s.name));
  let lock: Map<string, string> | null = null;
  if (since === "lock") {
    const entries = await readLock(ws);
    if (entries === null) {
      throw new ConfigError(
        "--since lock: there is no wrknv.lock; run wrknv lock on the base first, or use --since upstream",
      );
    }
    lock = new Map(entries.map((e) => [e.name, e.commit]));
  }
  const present: Sibling[] = [];
  const missing: string[] = [];
  await Promise.all(ws.siblings.map(async (s) => {
    try {
      await Deno.lstat(join(s.path, ".git"));
      present.push(s);
    } catch {
      missing.push(s.name);
    }
  }));
  const [{ nodes, unreadable }, settled] = await Promise.all([
    workspaceGraph(ws, { allExtras: options.withExtras }),
    pool(present, async (s): Promise<SiblingChange | null> => {
      try {
        return await changeOf(s, since, lock, options);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return {
          name: s.name,
          against: since,
          base: null,
          commits: 0,
          uncommitted: 0,
          note: message(error),
        };
      }
    }, { limit: options.jobs ?? JOBS, signal: options.signal }),
  ]);
  const changes = new Map<string, SiblingChange>();
  for (const r of settled) {
    if (r.status === "rejected") throw r.reason;
    if (r.value) changes.set(r.value.name, r.value);
  }
  const reach = affectedBy(nodes, changes.keys(), { soft: options.withExtras });
  const chosen = new Set(reach.affected.filter((n) => selected.has(n)));
  const order = topoLayers(subgraph(nodes, chosen));
  const flat = order.flat();
  return {
    since,
    changed: flat.filter((n) => changes.has(n)),
    affected: flat,
    order,
    why: Object.fromEntries(flat.map((n) => [n, reach.why[n]])),
    changes: flat.filter((n) => changes.has(n)).map((n) => changes.get(n)!),
    nodes,
    unreadable,
    missing: ws.siblings.map((s) => s.name).filter((n) => missing.includes(n) && selected.has(n)),
  };
}
