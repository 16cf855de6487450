/**
 * Fuzz the wrknv.toml loader: mutate valid files (byte flips, truncations,
 * type swaps, deep nesting, huge strings, many siblings) and check that the
 * loader only ever returns a workspace or throws a ConfigError, within a
 * second per case.
 *
 *   deno task fuzz [seed] [cases]
 *
 * @module
 */
import { parseConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors.ts";

/** A small seeded PRNG (mulberry32): the same seed gives the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  `[workspace]\nname = "w"\nlayers = ["a", "b"]\n[workspace.python]\nversion = ">=3.11"\nextras = ["dev"]\n` +
  `[workspace.hooks]\npost_install = ["make"]\n[[siblings]]\nname = "x"\nrepo = "https://h/x.git"\nlayer = "a"\n` +
  `[[siblings]]\nname = "y"\nrepo = "git@h:o/y.git"\nlayer = "b"\ndepends_on = ["x"]\ngroups = ["g"]\nrevision = "main"\n`,
  `[workspace]\nroot = "repos"\n[[siblings]]\nname = "a"\nrepo = "../a"\npath = "repos/a"\ninstall = false\nimport = ["a.b"]\n`,
  `siblings = [{ name = "i", repo = "file:///r/i" }]\n[workspace]\nname = "inline"\n`,
];

const VALUES = [
  '""',
  "1",
  "-1",
  "3.5",
  "true",
  "[]",
  "[1, 2]",
  '["a"]',
  "{}",
  "{ a = 1 }",
  "1979-05-27",
  '"-x"',
  '"../../etc"',
  '"ext::sh"',
  '"a\\nb"',
];

/** One mutated input. */
export function mutate(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  let text = pick(SEEDS);
  const kind = Math.floor(rand() * 8);
  switch (kind) {
    case 0: { // byte flips
      const bytes = new TextEncoder().encode(text);
      for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++) {
        bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      }
      return new TextDecoder().decode(bytes);
    }
    case 1: // truncation
      return text.slice(0, Math.floor(rand() * text.length));
    case 2: { // type swap: replace one value
      const lines = text.split("\n");
      const i = Math.floor(rand() * lines.length);
      if (lines[i].includes("=")) lines[i] = lines[i].replace(/=.*$/, `= ${pick(VALUES)}`);
      return lines.join("\n");
    }
    case 3: { // deep nesting
      const depth = 1 + Math.floor(rand() * 3000);
      return text +
        `\ndeep = ${"[".repeat(depth)}${
          "]".repeat(rand() < 0.5 ? depth : Math.floor(depth / 2))
        }\n`;
    }
    case 4: // a huge string
      return text.replace(
        /name = "[^"]*"/,
        `name = "${"n".repeat(1 + Math.floor(rand() * 2_000_000))}"`,
      );
    case 5: { // many siblings
      const n = rand() < 0.2 ? 10_000 : Math.floor(rand() * 500);
      let out = '[workspace]\nname = "many"\n';
      for (let i = 0; i < n; i++) {
        out += `[[siblings]]\nname = "s${i}"\nrepo = "https://h/s${i}.git"\n${
          i && rand() < 0.3 ? `depends_on = ["s${Math.floor(rand() * i)}"]\n` : ""
        }`;
      }
      return out;
    }
    case 6: { // splice lines of two seeds
      const a = text.split("\n");
      const b = pick(SEEDS).split("\n");
      return [
        ...a.slice(0, Math.floor(rand() * a.length)),
        ...b.slice(Math.floor(rand() * b.length)),
      ].join("\n");
    }
    default: { // random junk inserted
      const at = Math.floor(rand() * text.length);
      const junk = Array.from(
        { length: 1 + Math.floor(rand() * 20) },
        () => String.fromCharCode(Math.floor(rand() * 128)),
      ).join("");
      text = text.slice(0, at) + junk + text.slice(at);
      return text;
    }
  }
}

/** Run `cases` cases from `seed`; returns the failures (input and what went wrong). */
export function fuzz(seed: number, cases: number): { input: string; problem: string }[] {
  const rand = prng(seed);
  const failures: { input: string; problem: string }[] = [];
  for (let i = 0; i < cases; i++) {
    const input = mutate(rand);
    const t0 = performance.now();
    try {
      parseConfig(input, "/fuzz/meta/wrknv.toml");
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        failures.push({
          input,
          problem: `threw ${(error as Error)?.name}: ${(error as Error)?.message}`,
        });
        continue;
      }
      if (error.message.includes("\n")) {
        failures.push({ input, problem: `a message of several lines: ${error.message}` });
      }
    }
    const ms = performance.now() - t0;
    if (ms > 1000) failures.push({ input, problem: `took ${ms.toFixed(0)} ms` });
  }
  return failures;
}

if (import.meta.main) {
  const seed = Number(Deno.args[0] ?? Date.now() % 2 ** 31);
  const cases = Number(Deno.args[1] ?? 50_000);
  console.log(`fuzzing the wrknv.toml loader: seed ${seed}, ${cases} cases`);
  const failures = fuzz(seed, cases);
  for (const f of failures.slice(0, 10)) {
    console.log(
      `\n--- ${f.problem}\n${
        JSON.stringify(f.input.length > 2000 ? f.input.slice(0, 2000) + "…" : f.input)
      }`,
    );
  }
  console.log(`\n${failures.length} failing of ${cases}`);
  Deno.exit(failures.length ? 1 : 0);
}
