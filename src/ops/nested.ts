/**
 * Nested siblings (west's and repo's `tools/bsim` and `tools/bsim/components`):
 * the outer one is cloned first, and its clone is told to ignore the inner
 * one, which is a repository of its own.
 *
 * @module
 */
import { dirname, relative, sep } from "node:path";
import type { Sibling, Workspace } from "../config/types.ts";
import * as git from "../git/mod.ts";
import { exists } from "../fs.ts";

/** How many siblings hold `s`, through `within`. */
function depth(s: Sibling, byName: ReadonlyMap<string, Sibling>): number {
  let n = 0;
  for (let cur = s.within; cur !== undefined; cur = byName.get(cur)?.within) n++;
  return n;
}

/**
 * The siblings in an order where each comes after every sibling that holds
 * it, otherwise in the order given. A parallel pool that starts items in this
 * order has every outer clone started before an inner one waits for it.
 */
export function outerFirst(ws: Workspace, siblings: readonly Sibling[]): Sibling[] {
  const byName = new Map(ws.siblings.map((s) => [s.name, s]));
  return siblings
    .map((s, i) => ({ s, i, d: depth(s, byName) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.s);
}

/** The sibling that holds `s`, when it is nested. */
export function outerOf(ws: Workspace, s: Sibling): Sibling | undefined {
  return s.within === undefined ? undefined : ws.siblings.find((o) => o.name === s.within);
}

/**
 * Add the inner sibling to the outer clone's `.git/info/exclude` (as
 * `/path/`, anchored), so the outer's `git status` does not list it as
 * untracked. Nothing is written when a line already says so. Returns true
 * when a line was added.
 */
export async function excludeFromOuter(outer: Sibling, inner: Sibling): Promise<boolean> {
  if (!(await exists(`${outer.path}/.git`))) return false;
  const line = `/${relative(outer.path, inner.path).split(sep).join("/")}/`;
  const file = await git.gitPath(outer.path, "info/exclude");
  let text = "";
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(dirname(file), { recursive: true });
  }
  const lines = text.split("\n").map((l) => l.trim());
  if (lines.includes(line) || lines.includes(line.slice(0, -1))) return false;
  const newline = text === "" || text.endsWith("\n") ? "" : "\n";
  await Deno.writeTextFile(file, `${newline}${line}\n`, { append: true });
  return true;
}

/**
 * The order of a bootstrap run over nested siblings: outer ones start first,
 * an inner one waits until the one holding it has finished, and is refused
 * when that one did not end up a clone.
 */
export class NestedClones {
  #ws: Workspace;
  #selected: Set<string>;
  #ended = new Map<string, PromiseWithResolvers<void>>();

  /** For a run over `selected`, siblings of `ws`. */
  constructor(ws: Workspace, selected: readonly Sibling[]) {
    this.#ws = ws;
    this.#selected = new Set(selected.map((s) => s.name));
  }

  #endOf(name: string): PromiseWithResolvers<void> {
    let p = this.#ended.get(name);
    if (!p) this.#ended.set(name, p = Promise.withResolvers<void>());
    return p;
  }

  /** The siblings in the order to start them: see {@link outerFirst}. */
  order(siblings: readonly Sibling[]): Sibling[] {
    return outerFirst(this.#ws, siblings);
  }

  /** `fn`, marking each sibling finished when its call ends (however it ends). */
  track<R>(fn: (s: Sibling) => Promise<R>): (s: Sibling) => Promise<R> {
    return (s) => fn(s).finally(() => this.#endOf(s.name).resolve());
  }

  /** Wait until the sibling holding `s` has finished, when this run handles it too. */
  async outerDone(s: Sibling): Promise<void> {
    const outer = outerOf(this.#ws, s);
    if (outer && this.#selected.has(outer.name)) await this.#endOf(outer.name).promise;
  }

  /** Why `s` cannot be cloned: the sibling holding it is not a clone; null when it is. */
  async blocked(s: Sibling): Promise<string | null> {
    const outer = outerOf(this.#ws, s);
    if (!outer || await exists(`${outer.path}/.git`)) return null;
    return this.#selected.has(outer.name)
      ? `it lies inside ${outer.name}, which was not cloned`
      : `it lies inside ${outer.name}, which is not cloned; clone that first (wrknv bootstrap --only ${outer.name})`;
  }

  /** After `s` is in place: keep it out of the outer clone's `git status`. */
  async placed(s: Sibling): Promise<void> {
    const outer = outerOf(this.#ws, s);
    if (outer) await excludeFromOuter(outer, s).catch(() => false);
  }
}
