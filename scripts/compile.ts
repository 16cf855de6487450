/**
 * `deno task compile`: build wrknv for every platform into dist/, each packed
 * as an archive, with SHA256SUMS and install.sh beside them.
 *
 *   deno task compile                       # every target
 *   deno task compile --target x86_64-unknown-linux-gnu --out dist
 *
 * `deno compile` downloads its base runtime (denort) for each target; on a
 * machine without network set DENORT_BIN to a local denort for the host
 * target. wrknv keeps its data (the demo workspace, the schema) in code, not
 * in files read relative to import.meta.url, so the binary needs no --include.
 *
 * @module
 */
import { join } from "node:path";

/** Every target a release carries. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

// wrknv spawns git, python and the workspace's own hooks, reads and writes the
// workspace, reads its environment, and fetches releases for `wrknv upgrade`:
// what each of --allow-run, --allow-read/write, --allow-env and --allow-net
// grants. Since --allow-run of arbitrary programs is already everything, the
// binary is built with -A rather than a list that suggests a sandbox it is not.
const PERMISSIONS = ["-A"];

async function sh(cmd: string[], cwd?: string): Promise<void> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${cmd.join(" ")} failed (exit ${out.code})`);
}

async function sha256(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Build the given targets into `out`; returns the archive names. */
export async function compile(targets: string[], out: string): Promise<string[]> {
  const root = new URL("..", import.meta.url).pathname;
  await Deno.mkdir(join(out, "build"), { recursive: true });
  const archives: string[] = [];
  for (const target of targets) {
    const windows = target.includes("windows");
    const stage = join(out, "build", target);
    await Deno.mkdir(stage, { recursive: true });
    const exe = join(stage, windows ? "wrknv.exe" : "wrknv");
    console.error(`compiling ${target}`);
    await sh([
      Deno.execPath(),
      "compile",
      "--quiet",
      ...PERMISSIONS,
      "--target",
      target,
      "--output",
      exe,
      join(root, "main.ts"),
    ]);
    const name = `wrknv-${target}.${windows ? "zip" : "tar.gz"}`;
    const archive = join(out, name);
    if (windows) await sh(["zip", "-q", "-j", archive, exe]);
    else await sh(["tar", "-czf", archive, "-C", stage, "wrknv"]);
    archives.push(name);
  }
  let sums = "";
  for (const name of archives) sums += `${await sha256(join(out, name))}  ${name}\n`;
  await Deno.writeTextFile(join(out, "SHA256SUMS"), sums);
  await Deno.copyFile(join(root, "install.sh"), join(out, "install.sh"));
  return archives;
}

if (import.meta.main) {
  const targets: string[] = [];
  let out = "dist";
  for (let i = 0; i < Deno.args.length; i++) {
    if (Deno.args[i] === "--target") targets.push(Deno.args[++i]);
    else if (Deno.args[i] === "--out") out = Deno.args[++i];
    else {
      console.error(
        `usage: deno task compile [--target T]... [--out DIR]\ntargets: ${TARGETS.join(", ")}`,
      );
      Deno.exit(2);
    }
  }
  for (const t of targets) {
    if (!TARGETS.includes(t)) {
      console.error(`unknown target ${t}; one of ${TARGETS.join(", ")}`);
      Deno.exit(2);
    }
  }
  const built = await compile(targets.length ? targets : TARGETS, out);
  console.log(`built ${built.length} archives, SHA256SUMS and install.sh in ${out}/`);
}
