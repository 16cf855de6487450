/**
 * Trust: hooks are shell commands from a file that may have come from
 * someone else, so they run only once the user has trusted this exact
 * wrknv.toml. The sha256 of the file is remembered in the user's config
 * directory; any change to the file ends the trust.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../config/atomic.ts";
import { runtime } from "../runtime.ts";
import { sha256File } from "../hash.ts";

/** The file that remembers trusted workspaces. */
export function trustStorePath(): string {
  const explicit = runtime.env("WRKNV_CONFIG_DIR");
  if (explicit) return join(explicit, "trusted.json");
  const xdg = runtime.env("XDG_CONFIG_HOME");
  const home = runtime.env("HOME") ?? runtime.env("USERPROFILE") ?? ".";
  const base = xdg && xdg.startsWith("/") ? xdg : join(home, ".config");
  return join(base, "wrknv", "trusted.json");
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

/** Whether the wrknv.toml at `configPath`, as it is now, is trusted. */
export async function isTrusted(configPath: string): Promise<boolean> {
  const store = await readStore();
  const want = store[configPath];
  return want !== undefined && want === await fileSha256(configPath);
}

/** Trust the wrknv.toml at `configPath` as it is now. */
export async function trust(configPath: string): Promise<string> {
  const store = await readStore();
  const sha = await fileSha256(configPath);
  store[configPath] = sha;
  const path = trustStorePath();
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(store, null, 2) + "\n");
  return sha;
}

/** Forget the trust of `configPath`. */
export async function untrust(configPath: string): Promise<boolean> {
  const store = await readStore();
  if (!(configPath in store)) return false;
  delete store[configPath];
  await writeFileAtomic(trustStorePath(), JSON.stringify(store, null, 2) + "\n");
  return true;
}
