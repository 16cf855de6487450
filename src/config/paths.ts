/**
 * Small path helpers of the config layer, kept apart so that commands that
 * only need them do not load the parser.
 *
 * @module
 */
import { isAbsolute, relative, sep } from "node:path";

/** The config file's name. */
export const CONFIG_FILE = "wrknv.toml";

/** Where the user sees a file: relative to the working directory when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** True when `child` is `parent` or lies inside it (both absolute, normalised). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Why `venv` may not be the workspace's venv, or null when it may: `setup
 * --recreate` deletes it, so it must not be, hold or lie inside anything else
 * of the workspace: the root, the directory holding wrknv.toml or one of its
 * parents, a sibling or a directory inside one. Paths are absolute and
 * normalised (the loader checks them as written; `checkSymlinks` again as
 * they resolve on disk).
 */
export function venvPlacementProblem(
  venv: string,
  ws: { root: string; configDir: string; siblings: readonly { name: string; path: string }[] },
): string | null {
  if (venv === ws.root) return "is the workspace root";
  if (isInside(ws.root, venv)) return "holds the workspace root";
  if (venv === ws.configDir) return `is the directory holding ${CONFIG_FILE}`;
  if (isInside(ws.configDir, venv)) return `holds the directory of ${CONFIG_FILE}`;
  for (const s of ws.siblings) {
    if (venv === s.path) return `is sibling "${s.name}"`;
    if (isInside(venv, s.path)) return `lies inside sibling "${s.name}"`;
    if (isInside(s.path, venv)) return `holds sibling "${s.name}"`;
  }
  return null;
}
