/**
 * `deno task bench verify [MiB] [runs]`: verify a bundle holding one big file
 * (`wrknv bootstrap --from`, which checks every file's size and sha256 before
 * anything else) against `sha256sum` of the same file: wall time, user+sys
 * CPU and peak memory (max RSS) of each, from GNU time. Goal: memory bounded
 * whatever the file's size (it used to be read whole: 2× the file in RSS).
 *
 * @module
 */
import { join } from "node:path";
import { fmt, median } from "./stats.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

interface Usage {
  wall: number;
  cpu: number;
  rssMiB: number;
}

async function timed(cmd: string[], cwd: string): Promise<Usage> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %e %U %S %M", ...cmd],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${err}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err)!;
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024 };
}

async function sha256sum(path: string): Promise<string> {
  const out = await new Deno.Command("sha256sum", { args: [path], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split(" ")[0];
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const mib = Number(args[0] ?? 1024);
  const runs = Number(args[1] ?? 3);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-verify-" });
  try {
    const bundle = join(dir, "bundle");
    await Deno.mkdir(join(bundle, "wheels"), { recursive: true });
    await Deno.writeTextFile(join(bundle, "wrknv.toml"), `[workspace]\nname = "big"\n`);
    await Deno.writeTextFile(join(bundle, "wrknv.lock"), "version = 1\n");
    const big = join(bundle, "wheels", "big-1.0-py3-none-any.whl");
    {
      using f = await Deno.open(big, { write: true, create: true });
      const chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < mib; i++) {
        crypto.getRandomValues(chunk.subarray(0, 65536));
        await f.write(chunk);
      }
    }
    const files = [];
    for (const p of ["wrknv.toml", "wrknv.lock", "wheels/big-1.0-py3-none-any.whl"]) {
      const full = join(bundle, p);
      files.push({ path: p, size: (await Deno.stat(full)).size, sha256: await sha256sum(full) });
    }
    await Deno.writeTextFile(
      join(bundle, "wrknv-bundle.json"),
      JSON.stringify({ version: 1, workspace: "big", created: "", files, missing: [] }),
    );
    const rows: Record<string, Usage[]> = { "wrknv bootstrap --from": [], sha256sum: [] };
    for (let i = 0; i < runs; i++) {
      const meta = join(dir, `meta${i}`);
      await Deno.mkdir(meta);
      rows["wrknv bootstrap --from"].push(
        await timed(
          [Deno.execPath(), "run", "-A", "--quiet", MAIN, "bootstrap", "--from", bundle],
          meta,
        ),
      );
      rows.sha256sum.push(await timed(["sha256sum", big], dir));
    }
    console.log(`verify: a bundle with one ${mib} MiB file; ${runs} runs each, round robin`);
    const floor = median(rows.sha256sum.map((u) => u.cpu));
    for (const [name, us] of Object.entries(rows)) {
      const cpu = median(us.map((u) => u.cpu));
      console.log(
        `  ${name.padEnd(24)} wall ${fmt(median(us.map((u) => u.wall)), 2)} s  cpu ${
          fmt(cpu, 2)
        } s (${fmt(cpu / floor, 2)}× sha256sum)  max RSS ${
          fmt(Math.max(...us.map((u) => u.rssMiB)))
        } MiB`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
