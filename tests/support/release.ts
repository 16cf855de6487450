/**
 * Fake wrknv releases for install.sh and `wrknv upgrade` tests: a tiny shell
 * script named wrknv per target, packed as the real archives are, with a real
 * SHA256SUMS, in the GitHub releases layout.
 *
 * @module
 */
import { join } from "node:path";

/** The targets wrknv ships. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

async function sha256(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Write release `version` under `<root>/download/v<version>/` (and `latest/download/` when `latest`). */
export async function makeRelease(
  root: string,
  version: string,
  options: { latest?: boolean } = {},
): Promise<string> {
  const dirs = [join(root, "download", `v${version}`)];
  if (options.latest) dirs.push(join(root, "latest", "download"));
  const work = await Deno.makeTempDir();
  try {
    let sums = "";
    for (const target of TARGETS) {
      const stage = join(work, target);
      await Deno.mkdir(stage, { recursive: true });
      await Deno.writeTextFile(
        join(stage, "wrknv"),
        `#!/bin/sh\necho "wrknv ${version} ${target}"\n`,
        { mode: 0o755 },
      );
      const archive = join(work, `wrknv-${target}.tar.gz`);
      const out = await new Deno.Command("tar", { args: ["-czf", archive, "-C", stage, "wrknv"] })
        .output();
      if (!out.success) throw new Error("tar failed");
      sums += `${await sha256(archive)}  wrknv-${target}.tar.gz\n`;
    }
    for (const dir of dirs) {
      await Deno.mkdir(dir, { recursive: true });
      for (const target of TARGETS) {
        await Deno.copyFile(
          join(work, `wrknv-${target}.tar.gz`),
          join(dir, `wrknv-${target}.tar.gz`),
        );
      }
      await Deno.writeTextFile(join(dir, "SHA256SUMS"), sums);
    }
    return dirs[0];
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
