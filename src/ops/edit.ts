/**
 * `wrknv add` and `wrknv remove`: edit wrknv.toml in place, validate the
 * result, write it atomically. Nothing is cloned or deleted on disk.
 *
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { checkSymlinks, displayPath, findConfig } from "../config/mod.ts";
import { parseConfig } from "../config/load.ts";
import { writeFileAtomic } from "../config/atomic.ts";
import { addSibling, removeSibling } from "../config/edit.ts";
import type { SiblingSpec } from "../config/render.ts";
import type { Sibling } from "../config/types.ts";
import { nameFromUrl } from "./init.ts";
import { acquireRunLock } from "./run_lock.ts";

/** Where the config is, as for every command. */
export interface EditTarget {
  /** Working directory. */
  cwd: string;
  /** Explicit --config. */
  config?: string;
}

/** What `wrknv add` takes besides the URL. */
export interface AddOptions {
  /** Name; default from the URL. */
  name?: string;
  /** Path, relative to `cwd` (as typed at the shell) or absolute. */
  path?: string;
  /** Layer. */
  layer?: string;
  /** Groups. */
  groups?: string[];
  /** Branch, tag or commit. */
  revision?: string;
  /** Declared dependencies. */
  dependsOn?: string[];
  /** False for a non-Python sibling. */
  install?: boolean;
}

/**
 * Two edits at once would each write the file as it was before the other:
 * one of them lost. Edits take the workspace's run lock, waiting a few
 * seconds for another edit (or lock) to finish, then failing by name.
 */
const EDIT_WAIT_MS = 10_000;

async function readConfig(target: EditTarget) {
  const path = await findConfig(target);
  const text = await Deno.readTextFile(path);
  const shown = displayPath(path, target.cwd);
  // The file must be valid before the edit, so an error is never blamed on the edit.
  parseConfig(text, path, { displayName: shown });
  return { path, text, shown };
}

async function lockFor(target: EditTarget, command: string) {
  const configDir = dirname(await findConfig(target));
  return await acquireRunLock({ configDir }, command, { waitMs: EDIT_WAIT_MS });
}

/** Add a sibling to wrknv.toml; returns it as resolved. */
export async function addToConfig(
  target: EditTarget,
  repo: string,
  options: AddOptions = {},
): Promise<Sibling> {
  await using _lock = await lockFor(target, "add");
  const { path, text, shown } = await readConfig(target);
  const name = options.name ?? nameFromUrl(repo);
  if (!name) throw new ConfigError(`cannot derive a name from "${repo}"; pass --name`);
  let relPath: string | undefined;
  if (options.path !== undefined) {
    const abs = isAbsolute(options.path) ? options.path : resolve(target.cwd, options.path);
    relPath = relative(resolve(path, ".."), abs) || ".";
  }
  const spec: SiblingSpec = {
    name,
    repo,
    path: relPath,
    revision: options.revision,
    layer: options.layer,
    groups: options.groups,
    dependsOn: options.dependsOn,
    install: options.install,
  };
  const next = addSibling(text, spec);
  let ws;
  try {
    ws = parseConfig(next, path, { displayName: shown });
  } catch (error) {
    if (error instanceof ConfigError) {
      // Name the problem in terms of what the user typed, not a line they cannot see yet.
      throw new ConfigError(
        `cannot add "${name}": ${
          error.message.replace(/^[^ ]*: siblings\[\d+\]\.[\w.[\]]+: /, "")
        }`,
      );
    }
    throw error;
  }
  await checkSymlinks(ws, shown);
  await writeFileAtomic(path, next);
  return ws.siblings[ws.siblings.length - 1];
}

/** Remove a sibling from wrknv.toml by name; returns it as it was. */
export async function removeFromConfig(
  target: EditTarget,
  name: string,
  options: { dryRun?: boolean } = {},
): Promise<Sibling> {
  // A dry run takes no lock and writes nothing: every check runs, and the edit is only made in memory.
  await using _lock = options.dryRun ? null : await lockFor(target, "remove");
  const { path, text, shown } = await readConfig(target);
  const before = parseConfig(text, path, { displayName: shown });
  const old = before.siblings.find((s) => s.name === name);
  if (!old) {
    const { didYouMean } = await import("../config/suggest.ts");
    throw new ConfigError(
      `no sibling named "${name}" in ${shown}${
        didYouMean(name, before.siblings.map((s) => s.name))
      }`,
    );
  }
  const dependants = before.siblings.filter((s) => s.dependsOn.includes(name)).map((s) => s.name);
  if (dependants.length) {
    throw new ConfigError(
      `cannot remove "${name}": ${dependants.join(", ")} ${
        dependants.length > 1 ? "depend" : "depends"
      } on it (depends_on)`,
    );
  }
  const next = removeSibling(text, name);
  if (next === undefined) throw new ConfigError(`cannot find the table of "${name}" in ${shown}`);
  parseConfig(next, path, { displayName: shown });
  if (!options.dryRun) await writeFileAtomic(path, next);
  return old;
}
