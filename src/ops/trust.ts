/**
 * Trust: hooks are shell commands from a file that may have come from
 * someone else, so they run only once the user has trusted them. What is
 * remembered (in the user's config directory) is the sha256 of the hooks
 * themselves with the path of the file that holds them: editing siblings
 * (`wrknv add`) keeps the trust, changing a hook, or the same hooks in another
 * file (a bundle's copy), needs a new one.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../config/atomic.ts";
import { userConfigDir } from "../config/user_state.ts";
import { sha256File, sha256Hex } from "../hash.ts";
import type { Workspace } from "../config/types.ts";

/** The file that remembers trusted workspaces. */
export function trustStorePath(): string {
  return join(userConfigDir(), "trusted.json");
}

/** The sha256 of a file, hex (read as a stream). */
export const fileSha256: (path: string) => Promise<string> = sha256File;

async function readStore(): Promise<Record<string, string>> {
  try {
    const data = JSON.parse(await Deno.readTextFile(trustStorePath()));
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  } catch {
    return {};
  }
}

/** True when the workspace has a hook to run (and so something to trust). */
export function hasHooks(ws: Workspace): boolean {
  return ws.hooks.preInstall.length + ws.hooks.postInstall.length > 0;
}

/**
 * What trust is given to: the hooks, in order and by kind, and the file
 * holding them (stored as `hooks:<sha256>`; a store of an older wrknv, which
 * kept the whole file's hash, matches nothing, so such a trust is asked for
 * again, never widened).
 */
async function hooksKey(ws: Workspace): Promise<string> {
  const doc = JSON.stringify({
    config: ws.configPath,
    pre_install: ws.hooks.preInstall,
    post_install: ws.hooks.postInstall,
  });
  return `hooks:${await sha256Hex(doc)}`;
}

/** Whether the workspace's hooks, as they are now, are trusted. */
export async function isTrusted(ws: Workspace): Promise<boolean> {
  const store = await readStore();
  const want = store[ws.configPath];
  return want !== undefined && want === await hooksKey(ws);
}

/** Trust the workspace's hooks as they are now; returns the key remembered. */
export async function trust(ws: Workspace): Promise<string> {
  const store = await readStore();
  const key = await hooksKey(ws);
  store[ws.configPath] = key;
  const path = trustStorePath();
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(store, null, 2) + "\n");
  return key;
}

/** Forget the trust of `configPath`. */
export async function untrust(configPath: string): Promise<boolean> {
  const store = await readStore();
  if (!(configPath in store)) return false;
  delete store[configPath];
  await writeFileAtomic(trustStorePath(), JSON.stringify(store, null, 2) + "\n");
  return true;
}
