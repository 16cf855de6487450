/**
 * The wrknv.toml loader only ever returns a workspace that keeps its promises
 * (no path outside the root, no option-like URL or revision, no name that
 * could inject a line) or throws a one-line ConfigError, within a second per
 * case: 2,000 mutated files from a fixed seed, run in a watched child process.
 * The long version: `deno task fuzz [seed] [cases]`.
 */
import assert from "node:assert/strict";
import {
  brokenPromise,
  checkInput,
  CONFIG_PATH,
  fuzz,
  fuzzWatched,
  mutate,
  nthInput,
  prng,
  SEEDS,
} from "../scripts/fuzz.ts";
import { parseConfig } from "../src/config/load.ts";

const show = (f: { index: number; problem: string; input: string }) =>
  `case ${f.index}: ${f.problem}: ${JSON.stringify(f.input.slice(0, 300))}`;

Deno.test("fuzz: 2,000 mutated wrknv.toml files from seed 20261124", async () => {
  const failures = await fuzzWatched(20261124, 2000);
  assert.deepEqual(failures.map(show), []);
});

Deno.test("fuzz: the seeds are valid and keep every promise", () => {
  for (const seed of SEEDS) assert.equal(brokenPromise(parseConfig(seed, CONFIG_PATH)), null);
});

Deno.test("fuzz: the mutations reach every branch of the oracle", () => {
  // Accepted files, refused files and the kinds of mutation are all present.
  const rand = prng(20261124);
  let accepted = 0;
  let refused = 0;
  let huge = 0;
  let many = 0;
  for (let i = 0; i < 400; i++) {
    const input = mutate(rand);
    if (input.length > 100_000) huge++;
    if ((input.match(/\[\[siblings\]\]/g) ?? []).length > 100) many++;
    try {
      parseConfig(input, CONFIG_PATH);
      accepted++;
    } catch {
      refused++;
    }
  }
  assert.ok(accepted > 50 && refused > 50, `accepted ${accepted}, refused ${refused}`);
  assert.ok(huge > 0 && many > 0, `huge ${huge}, many ${many}`);
});

Deno.test("fuzz: the oracle passes refusals and catches broken promises", () => {
  // A refusal is a pass: a valid file, a TOML error, a refused path, a huge quoted value.
  const passes: [string, string][] = [
    ["a valid file", SEEDS[0]],
    ["a TOML error", "[workspace\n"],
    ["a refused path", `[workspace]\n[[siblings]]\nname = "a"\nrepo = "r"\npath = "/etc"\n`],
    [
      "a megabyte URL, quoted in a short message",
      `[workspace]\n[[siblings]]\nname = "a"\nrepo = "-${"x".repeat(1_000_000)}"\n`,
    ],
  ];
  for (const [name, input] of passes) assert.equal(checkInput(input), null, name);
  // And for an accepted workspace that broke a promise (made by hand, as the loader never does).
  const ws = parseConfig(SEEDS[0], CONFIG_PATH);
  const table: [string, (w: typeof ws) => void, RegExp][] = [
    ["a path outside the root", (w) => w.siblings[0].path = "/etc/x", /path "\/etc\/x"/],
    ["a URL like an option", (w) => w.siblings[0].repo = "--upload-pack=x", /repo/],
    ["a helper URL", (w) => w.siblings[0].repo = "ext::sh", /repo/],
    ["a revision like an option", (w) => w.siblings[1].revision = "-b", /revision/],
    ["a name with a newline", (w) => w.siblings[0].name = "x\ny", /name/],
    ["a group with a slash", (w) => w.siblings[1].groups = ["a/b"], /group/],
    ["a layer with ..", (w) => w.layers = ["a..b"], /layer/],
    ["an empty hook", (w) => w.hooks.postInstall = [" "], /empty hook/],
    ["a nest not recorded", (w) => w.siblings[1].path = `${w.siblings[0].path}/y`, /within/],
    ["one path twice", (w) => w.siblings[1].path = w.siblings[0].path, /shares its path/],
    ["inside a .git", (w) => {
      w.siblings[1].path = `${w.siblings[0].path}/.git/y`;
      w.siblings[1].within = w.siblings[0].name;
    }, /inside the \.git/],
  ];
  for (const [name, spoil, want] of table) {
    const copy = structuredClone(ws);
    spoil(copy);
    assert.match(brokenPromise(copy) ?? "", want, name);
  }
});

Deno.test("fuzz: inputs are reproducible from the seed and the case number", () => {
  const a = prng(7);
  const b = prng(7);
  for (let i = 0; i < 50; i++) assert.equal(mutate(a), mutate(b));
  const rand = prng(11);
  const inputs = Array.from({ length: 20 }, () => mutate(rand));
  assert.equal(nthInput(11, 13), inputs[13]);
  // In this thread, from a later start: the same inputs, none failing.
  assert.deepEqual(fuzz(11, 20, { start: 10 }), []);
});

Deno.test("fuzz: a case that never returns is reported with its input, and the run goes on", async () => {
  // The stalled case blocks for ever; healthy cases take milliseconds of work,
  // so a budget of seconds separates them on any machine, however loaded.
  const failures = await fuzzWatched(3, 6, { hangMs: 4000, stallAt: 2 });
  assert.deepEqual(failures.map((f) => [f.index, f.problem]), [[2, "no answer after 4000 ms"]]);
  assert.equal(failures[0].input, nthInput(3, 2));
});
