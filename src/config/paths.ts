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
