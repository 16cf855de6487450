/**
 * A listing of a directory tree with content hashes, to prove that a command
 * changed nothing on disk.
 *
 * @module
 */
import { join } from "node:path";

async function sha256(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Map every entry under `dir` (relative path) to a description: `dir`,
 * `link -> target`, or `file <mode> <sha256>`. Symbolic links are not followed.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    const abs = rel ? join(dir, rel) : dir;
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(abs)) entries.push(e);
    entries.sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = join(dir, r);
      const info = await Deno.lstat(p);
      if (info.isSymlink) out[r] = `link -> ${await Deno.readLink(p)}`;
      else if (info.isDirectory) {
        out[r] = `dir ${(info.mode ?? 0) & 0o777}`;
        await walk(r);
      } else out[r] = `file ${(info.mode ?? 0) & 0o777} ${await sha256(p)}`;
    }
  }
  await walk("");
  return out;
}
