/**
 * `deno task bench up [runs]`: `wrknv up` when everything is already in
 * place (13 siblings cloned, the venv made, every package installed), and
 * its parts, `setup` and `validate`, alone. Goal: `up` ≤ 1.5 s. With
 * `WRKNV_BENCH_BEFORE=<checkout>/main.ts` an earlier wrknv runs the same
 * commands in the same run.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { beforeMain, compare, type Contender, report } from "./harness.ts";
import { setUpWorkspace } from "./validate.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const WHEELS = "/usr/share/python-wheels";

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 9);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-up-" });
  try {
    const { pkgs, meta } = await setUpWorkspace(dir);
    const offline = ["--offline", "--find-links", WHEELS];
    const mains: [string, string][] = [["wrknv", MAIN]];
    const before = beforeMain();
    if (before) mains.push(["wrknv before", before]);
    const contenders: Contender[] = mains.flatMap(([who, main]) =>
      [
        ["up", "-q", ...offline],
        ["setup", "-q", ...offline],
        ["validate", "-q"],
      ].map((command): Contender => ({
        name: `${who} ${command[0]}`,
        cmd: [Deno.execPath(), "run", "-A", main, ...command],
        cwd: meta,
      }))
    );
    console.log(
      `up with nothing to do: ${pkgs.length} siblings, set up offline; ${runs} runs each, ` +
        `round robin; load ${(await Deno.readTextFile("/proc/loadavg")).split(" ")[0]}\n`,
    );
    const results = await compare(contenders, { runs, warmup: 1 });
    console.log(report(results, contenders[0].name));
    const up = results[0];
    console.log(
      `\nwrknv up, nothing to do: median ${up.median.toFixed(0)} ms, goal ≤ 1500 ms: ${
        up.median <= 1500 ? "met" : "NOT MET"
      }`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
