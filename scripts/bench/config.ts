/**
 * Load and validate a 1,000-sibling wrknv.toml in-process. Goal: under 100 ms.
 *
 * @module
 */
import { parseConfig } from "../../src/config/load.ts";
import { fmt, median } from "./stats.ts";
import { processCpuMs } from "./harness.ts";

/** A wrknv.toml with `n` siblings in 4 layers, each depending on the one before. */
export function bigConfig(n: number): string {
  const layers = ["foundation", "framework", "tools", "providers"];
  let text = `[workspace]\nname = "big"\nlayers = ${JSON.stringify(layers)}\n\n` +
    `[workspace.python]\nversion = ">=3.11"\nextras = ["dev"]\n`;
  for (let i = 0; i < n; i++) {
    text +=
      `\n[[siblings]]\nname = "pkg-${i}"\nrepo = "https://git.example.com/org/pkg-${i}.git"\n` +
      `layer = "${layers[Math.floor((i * layers.length) / n)]}"\ngroups = ["g${i % 7}"]\n` +
      (i > 0 ? `depends_on = ["pkg-${i - 1}"]\n` : "");
  }
  return text;
}

/** Run the benchmark. */
export function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 1000);
  const text = bigConfig(n);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) parseConfig(text, "/bench/meta/wrknv.toml"); // warm-up
  const cpu0 = processCpuMs();
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const ws = parseConfig(text, "/bench/meta/wrknv.toml");
    times.push(performance.now() - t0);
    if (ws.siblings.length !== n) throw new Error("wrong sibling count");
  }
  const cpu = (processCpuMs() - cpu0) / 30;
  const cold = performance.now();
  parseConfig(bigConfig(n + 1), "/bench/meta/wrknv.toml");
  const first = performance.now() - cold;
  console.log(`config: ${n} siblings, ${text.length} bytes`);
  console.log(
    `  median ${fmt(median(times))} ms, min ${fmt(Math.min(...times))} ms, max ${
      fmt(Math.max(...times))
    } ms (30 runs); CPU ${fmt(cpu)} ms a run (user+sys of this process, 10 ms ticks)`,
  );
  console.log(
    `  one more, new text: ${fmt(first)} ms   goal: < 100 ms   ${
      median(times) < 100 ? "met" : "NOT MET"
    }`,
  );
  return Promise.resolve();
}
