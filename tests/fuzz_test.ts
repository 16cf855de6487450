/**
 * The loader only ever returns a workspace or a one-line ConfigError, within
 * a second per case: 2,000 mutated wrknv.toml files from a fixed seed. The
 * long version: `deno task fuzz [seed] [cases]`.
 */
import assert from "node:assert/strict";
import { fuzz, mutate, prng } from "../scripts/fuzz.ts";

Deno.test("fuzz: 2,000 mutated wrknv.toml files from seed 20261124", () => {
  const failures = fuzz(20261124, 2000);
  assert.deepEqual(
    failures.map((f) => `${f.problem}: ${JSON.stringify(f.input.slice(0, 300))}`),
    [],
  );
});

Deno.test("fuzz inputs are reproducible from the seed", () => {
  const a = prng(7);
  const b = prng(7);
  for (let i = 0; i < 50; i++) assert.equal(mutate(a), mutate(b));
});
