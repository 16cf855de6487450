/**
 * State that changes what wrknv does, kept in the user's own state directory
 * (`$WRKNV_STATE_DIR`, else `$XDG_STATE_HOME/wrknv`, else
 * `~/.local/state/wrknv`), never in the workspace: a workspace's files may
 * have come from someone else's repository, and a record found there (a venv
 * "made by wrknv", a link "made by --link-from", a bundle's wheel directory)
 * could be forged.
 *
 * Each record is one small JSON file, `<dir>/<topic>/<sha256 of subject>.json`,
 * naming its subject (a wrknv.toml's path, a venv's path): records of
 * different subjects never share a file, so parallel runs never lose one.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { runtime } from "../runtime.ts";
import { sha256Hex } from "../hash.ts";
import { writeFileAtomic } from "./atomic.ts";

/**
 * A wrknv directory of the user's: `$<explicit>` when set, else
 * `$<xdg>/wrknv` when that is absolute, else `~/<fallback>/wrknv`. The one
 * place the XDG base directories are read.
 */
function userDir(explicit: string, xdg: string, fallback: string): string {
  const set = runtime.env(explicit);
  if (set) return set;
  const base = runtime.env(xdg);
  const home = runtime.env("HOME") ?? runtime.env("USERPROFILE") ?? ".";
  return join(base && base.startsWith("/") ? base : join(home, fallback), "wrknv");
}

/** The user's wrknv state directory. */
export function userStateDir(): string {
  return userDir("WRKNV_STATE_DIR", "XDG_STATE_HOME", join(".local", "state"));
}

/** The user's wrknv config directory (`$WRKNV_CONFIG_DIR`, else `$XDG_CONFIG_HOME/wrknv`, else `~/.config/wrknv`): the trust store. */
export function userConfigDir(): string {
  return userDir("WRKNV_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
}

/**
 * The user's wrknv cache directory (`$WRKNV_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/wrknv`, else `~/.cache/wrknv`): what can be made again
 * (the checked form of each wrknv.toml, unpacked bundles; mirrors live in
 * its `git/`, or in it when `WRKNV_CACHE_DIR` is set).
 */
export function userCacheDir(): string {
  return userDir("WRKNV_CACHE_DIR", "XDG_CACHE_HOME", ".cache");
}

/** The file of the record about `subject` under `topic`. */
export async function userStateFile(topic: string, subject: string): Promise<string> {
  return join(userStateDir(), topic, `${(await sha256Hex(subject)).slice(0, 32)}.json`);
}

/** The record about `subject`, or null when there is none (or it is about another subject). */
export async function readUserState(
  topic: string,
  subject: string,
): Promise<Record<string, unknown> | null> {
  try {
    const doc = JSON.parse(await Deno.readTextFile(await userStateFile(topic, subject)));
    return doc && typeof doc === "object" && doc.subject === subject ? doc : null;
  } catch {
    return null;
  }
}

/** Write the record about `subject` (atomically; its directory is made). */
export async function writeUserState(
  topic: string,
  subject: string,
  doc: Record<string, unknown>,
): Promise<void> {
  const file = await userStateFile(topic, subject);
  await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify({ subject, ...doc }) + "\n");
}

/** Remember that wrknv made the symbolic link at `path` (to `target`) for this workspace. */
export function rememberLink(configPath: string, path: string, target: string): Promise<void> {
  return writeUserState("links", `${configPath}\0${path}`, { target });
}

/** True when the symbolic link at `path` is one wrknv made for this workspace, unchanged since. */
export async function isRememberedLink(configPath: string, path: string): Promise<boolean> {
  const doc = await readUserState("links", `${configPath}\0${path}`);
  if (!doc) return false;
  try {
    return (await Deno.readLink(path)) === doc.target;
  } catch {
    return false;
  }
}
