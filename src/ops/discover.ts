/**
 * Find the git repositories under a root, for `wrknv init`: each with its
 * origin URL and, where it is a Python package, what its pyproject.toml says.
 *
 * @module
 */
import { join, resolve } from "node:path";
import * as git from "../git/mod.ts";
import { pool } from "../proc/mod.ts";

/** A repository found under the root. */
export interface Discovered {
  /** Directory name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Its origin URL, or null when it has none. */
  origin: string | null;
  /** pyproject.toml's text, when there is one. */
  pyproject: string | null;
}

const SKIP = new Set(["node_modules", "__pycache__", ".venv", "venv"]);

/**
 * The git repositories directly under `root` (not `exclude`, the directory
 * holding wrknv.toml), sorted by name.
 */
export async function discoverRepos(
  root: string,
  options: { exclude?: string[] } = {},
): Promise<Discovered[]> {
  const abs = resolve(root);
  const exclude = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const candidates: string[] = [];
  try {
    for await (const e of Deno.readDir(abs)) {
      if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
      if (!e.isDirectory && !e.isSymlink) continue;
      const path = join(abs, e.name);
      if (exclude.has(path)) continue;
      try {
        await Deno.lstat(join(path, ".git"));
        candidates.push(e.name);
      } catch {
        // not a repository
      }
    }
  } catch {
    return [];
  }
  candidates.sort();
  const found = await pool(candidates, async (name): Promise<Discovered> => {
    const path = join(abs, name);
    const origin = await git.remoteUrl(path).catch(() => null);
    let pyproject: string | null = null;
    try {
      pyproject = await Deno.readTextFile(join(path, "pyproject.toml"));
    } catch {
      pyproject = null;
    }
    return { name, path, origin, pyproject };
  }, { limit: 8 });
  return found.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
}
