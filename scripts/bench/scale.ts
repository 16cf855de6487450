/**
 * `deno task bench scale [siblings] [runs]`: `config`, `status`, `graph` and
 * `validate` over a workspace of 5,000 siblings (none cloned, each depending
 * on the one before: a 5,000-long chain), as whole `wrknv` processes. Goals:
 * config ≤ 300 ms, status and graph ≤ 500 ms, validate ≤ 2 s.
 *
 * config runs twice: with the resolved-config cache warm (the usual case) and
 * cold (a comment appended to wrknv.toml before every run, so it is parsed
 * and validated again).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bigConfig } from "./config.ts";
import { beforeMain, compare, type Contender, report, sh } from "./harness.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** The goal of each command, in ms of wall-clock time. */
const GOALS: Record<string, number> = { config: 300, status: 500, graph: 500, validate: 2000 };

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 5000);
  const runs = Number(args[1] ?? 9);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-scale-" });
  try {
    const meta = join(dir, "meta");
    await Deno.mkdir(meta);
    const config = join(meta, "wrknv.toml");
    await Deno.writeTextFile(config, bigConfig(n));
    await sh("git init -q -b main", { cwd: meta });
    // A cache and state directory of the benchmark's own: nothing of the user's is read or kept.
    const env = {
      XDG_CACHE_HOME: join(dir, "cache"),
      XDG_STATE_HOME: join(dir, "state"),
      WRKNV_CACHE_DIR: "",
      WRKNV_STATE_DIR: "",
    };
    const deno = Deno.execPath();
    const mains: [string, string][] = [["wrknv", MAIN]];
    const before = beforeMain();
    if (before) mains.push(["wrknv before", before]);
    const contenders: Contender[] = [];
    let edits = 0;
    for (const [who, main] of mains) {
      const wrknv = (command: string, extra: Partial<Contender> = {}): Contender => ({
        name: `${who} ${command}`,
        cmd: [deno, "run", "-A", main, ...command.split(" ")],
        cwd: meta,
        env,
        ...extra,
      });
      contenders.push(
        wrknv("config"),
        wrknv("config", {
          name: `${who} config (cache cold)`,
          // A new comment each run: the text differs, so the cache cannot answer.
          before: () => Deno.writeTextFile(config, `# run ${++edits}\n`, { append: true }),
        }),
        wrknv("status"),
        wrknv("graph"),
        // Every sibling is missing: validate says so and exits 1.
        wrknv("validate", { exitCode: 1 }),
      );
    }
    console.log(
      `${n} siblings (none cloned, a dependency chain), ${runs} runs each, round robin; ` +
        `${navigator.hardwareConcurrency} cores; load ${await loadAverage()}\n`,
    );
    const results = await compare(contenders, { runs });
    console.log(report(results, contenders[0].name) + "\n");
    for (const r of results) {
      const command = r.name.replace(/^wrknv (before )?/, "").split(" ")[0];
      const goal = GOALS[command];
      if (goal === undefined || r.name.startsWith("wrknv before")) continue;
      console.log(
        `${r.name}: median ${Math.round(r.median)} ms, goal ≤ ${goal} ms: ${
          r.median <= goal ? "met" : "NOT MET"
        }`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The 1-minute load average, as /proc/loadavg gives it. */
async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
  } catch {
    return "unknown";
  }
}
