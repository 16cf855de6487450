/**
 * The progress line: workspace steps with their time, totals set by the
 * operation, results as they land.
 */
import assert from "node:assert/strict";
import { runtime } from "../src/runtime.ts";
import { progressReporter } from "../src/ui/progress.ts";
import { makeStyle } from "../src/ui/style.ts";

const plainStyle = makeStyle(false);

function capture(): { text: () => string; [Symbol.dispose](): void } {
  const chunks: string[] = [];
  const write = runtime.writeErr;
  const columns = runtime.columns;
  runtime.writeErr = (t: string) => void chunks.push(t);
  runtime.columns = () => 200;
  return {
    text: () => chunks.join(""),
    [Symbol.dispose]() {
      runtime.writeErr = write;
      runtime.columns = columns;
    },
  };
}

const settle = (ms = 80) => new Promise((r) => setTimeout(r, ms));

Deno.test("live: a step shows beside the count; the total is what the operation says", async () => {
  using out = capture();
  const p = progressReporter({
    total: 9,
    verb: "installing",
    live: true,
    quiet: false,
    style: plainStyle,
    quietStatuses: ["built"],
  });
  p.total!(3);
  p.step!("making the venv");
  await settle();
  assert.match(out.text(), /installing 0\/3 {2}making the venv$/);
  p.step!("making the venv", "3.1 s");
  p.start("wrknvtest-a", "building");
  await settle();
  assert.match(out.text(), /installing 0\/3 {2}wrknvtest-a$/, "the step is gone when done");
  p.done("wrknvtest-a", "built");
  p.done("wrknvtest-b", "failed");
  await settle();
  assert.doesNotMatch(out.text(), /wrknvtest-b/, "a failure is told once, in the summary");
  assert.match(out.text(), /installing 2\/3, 1 failed$/, "and counted as it lands");
  p.end();
});

Deno.test("plain: steps and failures print nothing (the summary tells failures); others a line each", () => {
  using out = capture();
  const p = progressReporter({
    total: 2,
    verb: "installing",
    live: false,
    quiet: false,
    style: plainStyle,
    quietStatuses: ["built"],
  });
  p.step!("making the venv");
  p.step!("making the venv", "2.0 s");
  p.done("wrknvtest-a", "built");
  p.done("wrknvtest-b", "blocked");
  p.done("wrknvtest-c", "failed", "exit code 1");
  p.end();
  assert.equal(out.text(), "blocked    wrknvtest-b\n");
});

Deno.test("live: a long run shows its elapsed time beside the count", async () => {
  using out = capture();
  let clock = 1000;
  const p = progressReporter({
    total: 2,
    verb: "cloning",
    live: true,
    quiet: false,
    style: plainStyle,
    now: () => clock,
  });
  p.start("a", "cloning");
  await settle();
  assert.match(out.text(), /cloning 0\/2 {2}a$/, "no time in the first seconds");
  clock += 12_400;
  p.done("a", "cloned");
  await settle();
  assert.match(out.text(), /cloning 1\/2 12s$/);
  p.end();
});
