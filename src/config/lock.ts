/**
 * wrknv.lock: the exact commit of every sibling, written by `wrknv lock`.
 *
 * @module
 */
import { parse, stringify, TomlError } from "smol-toml";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "./atomic.ts";
import { lockSchema } from "./schema.ts";
import { formatKeyPath } from "./locate.ts";
import type { Workspace } from "./types.ts";

/** The lock file's name, beside wrknv.toml. */
export const LOCK_FILE = "wrknv.lock";

/** One locked sibling. */
export interface LockEntry {
  /** Sibling name. */
  name: string;
  /** Repository URL at the time of locking. */
  repo: string;
  /** Full commit hash. */
  commit: string;
}

/** Where the workspace's lock file is. */
export function lockPath(ws: Pick<Workspace, "configDir">): string {
  return join(ws.configDir, LOCK_FILE);
}

/**
 * Parse the text of a lock file.
 *
 * @throws {ConfigError} naming the file and the problem
 */
export function parseLock(text: string, displayName = LOCK_FILE): LockEntry[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ConfigError(
        `${displayName}:${error.line}:${error.column}: ${
          error.message.split("\n")[0].replace(/^Invalid TOML document: /, "")
        }`,
      );
    }
    throw error;
  }
  const parsed = lockSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.length ? `${formatKeyPath(issue.path as (string | number)[])}: ` : "";
    throw new ConfigError(`${displayName}: ${key}${issue.message.toLowerCase()}`);
  }
  const seen = new Set<string>();
  for (const [i, e] of parsed.data.siblings.entries()) {
    if (seen.has(e.name)) {
      throw new ConfigError(`${displayName}: siblings[${i}].name: duplicate sibling "${e.name}"`);
    }
    seen.add(e.name);
  }
  return parsed.data.siblings;
}

/** Render lock entries as the text of wrknv.lock. */
export function formatLock(entries: readonly LockEntry[]): string {
  const header = "# Written by `wrknv lock`: the exact commit of every sibling.\n" +
    "# `wrknv bootstrap --locked` and `wrknv sync --locked` check these out.\n\n";
  return header + stringify({ version: 1, siblings: entries.map((e) => ({ ...e })) }) + "\n";
}

/** Read the workspace's lock file; null when there is none. */
export async function readLock(ws: Pick<Workspace, "configDir">): Promise<LockEntry[] | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(lockPath(ws));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  return parseLock(text);
}

/** Write the workspace's lock file atomically. */
export async function writeLock(
  ws: Pick<Workspace, "configDir">,
  entries: readonly LockEntry[],
): Promise<void> {
  // A wrknv.lock that is a link is written through, but only into a lock file:
  // a link committed to lead elsewhere (~/.bashrc) is refused.
  await writeFileAtomic(lockPath(ws), formatLock(entries), {
    async checkLinkTarget(target) {
      try {
        const text = await Deno.readTextFile(target);
        if (text.trim() !== "") parseLock(text, target);
      } catch (error) {
        throw new ConfigError(
          `${LOCK_FILE} is a symbolic link to ${target}, which is not a wrknv lock file (${
            (error as Error).message
          }); wrknv will not write over it`,
        );
      }
    },
  });
}
