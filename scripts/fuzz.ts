/**
 * Fuzz the wrknv.toml loader: mutate valid files (byte flips, truncations,
 * type swaps, hostile values, deep nesting, huge strings, 10,000 siblings) and
 * check that `parseConfig` only ever returns a workspace that keeps every
 * promise of the loader, or throws a one-line ConfigError, within a second
 * per case. The cases run in a child process watched from outside, so a case
 * that never returns is reported with its input too.
 *
 *   deno task fuzz [seed] [cases]
 *
 * prints every failing case (its number, what went wrong and its input) and
 * writes the failing inputs whole to a temporary directory.
 *
 * @module
 */
import { dirname, relative, sep } from "node:path";
import process from "node:process";
import { parseConfig } from "../src/config/load.ts";
import { checkRepoUrl } from "../src/config/url.ts";
import type { Workspace } from "../src/config/types.ts";
import { ConfigError } from "../src/errors.ts";
import { mulberry32 } from "../tests/support/random.ts";

/** A small seeded PRNG (mulberry32): the same seed gives the same cases. */
export const prng: (seed: number) => () => number = mulberry32;

/** The valid files that every case starts from. */
export const SEEDS = [
  `[workspace]\nname = "w"\nlayers = ["a", "b"]\n[workspace.python]\nversion = ">=3.11"\nextras = ["dev"]\n` +
  `[workspace.hooks]\npost_install = ["make"]\n[[siblings]]\nname = "x"\nrepo = "https://h/x.git"\nlayer = "a"\n` +
  `[[siblings]]\nname = "y"\nrepo = "git@h:o/y.git"\nlayer = "b"\ndepends_on = ["x"]\ngroups = ["g"]\nrevision = "main"\n`,
  `[workspace]\nroot = "repos"\n[[siblings]]\nname = "a"\nrepo = "../a"\npath = "repos/a"\ninstall = false\nimport = ["a.b"]\n`,
  `siblings = [{ name = "i", repo = "file:///r/i" }]\n[workspace]\nname = "inline"\n`,
  `[workspace]\nname = "p"\nroot = ".."\n[[siblings]]\nname = "q"\nrepo = "ssh://git@h/q.git"\npath = "../q"\nrevision = "v1.0"\n`,
];

/** Values that a type swap puts in place of another: wrong types and hostile strings. */
const VALUES = [
  '""',
  "1",
  "-1",
  "3.5",
  "nan",
  "true",
  "[]",
  "[1, 2]",
  '["a"]',
  '["-x", "a/b"]',
  "{}",
  "{ a = 1 }",
  "1979-05-27",
  "1979-05-27T07:32:00Z",
  '"-x"',
  '"../../etc"',
  '"/etc"',
  '"."',
  '".."',
  '"a/b"',
  '"a..b"',
  '"ext::sh -c x"',
  '"fd::3"',
  '"--upload-pack=x"',
  '"ssh://-oProxyCommand=x/y"',
  '"git@-oProxyCommand=x:y"',
  '"a\\nb"',
  '"a\\u0000b"',
  '"a\\u001b[2Jb"',
  '"\\ud800"',
  '"\\uffff"',
  "'''multi\nline'''",
];

/** Keys a hostile insertion adds to a sibling or the workspace. */
const KEYS = ["path", "revision", "repo", "name", "layer", "root", "venv", "groups", "depends_on"];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** One mutated input. */
export function mutate(rand: () => number): string {
  let text = pick(rand, SEEDS);
  const kind = Math.floor(rand() * 10);
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
      if (lines[i].includes("=")) lines[i] = lines[i].replace(/=.*$/, `= ${pick(rand, VALUES)}`);
      return lines.join("\n");
    }
    case 3: { // deep nesting, of arrays or inline tables, closed or not
      const depth = 1 + Math.floor(rand() * 3000);
      const [open, close] = rand() < 0.5 ? ["[", "]"] : ["{ a = ", " }"];
      const closed = rand() < 0.5 ? depth : Math.floor(depth / 2);
      return text + `\ndeep = ${open.repeat(depth)}1${close.repeat(closed)}\n`;
    }
    case 4: // a huge string, valid or not
      return text.replace(
        /(name|repo) = "[^"]*"/,
        `$1 = "${rand() < 0.5 ? "" : pick(rand, ["-", "a/", "ext::"])}${
          "n".repeat(1 + Math.floor(rand() * 1_000_000))
        }"`,
      );
    case 5: { // many siblings, sometimes 10,000, with chains of depends_on
      const n = rand() < 0.1 ? 10_000 : Math.floor(rand() * 500);
      const chain = rand() < 0.5;
      const parts = ['[workspace]\nname = "many"\n'];
      for (let i = 0; i < n; i++) {
        const dep = i === 0 ? -1 : chain ? i - 1 : rand() < 0.3 ? Math.floor(rand() * i) : -1;
        parts.push(
          `[[siblings]]\nname = "s${i}"\nrepo = "https://h/s${i}.git"\n${
            dep >= 0 ? `depends_on = ["s${dep}"]\n` : ""
          }`,
        );
      }
      if (rand() < 0.3) parts.push(`[[siblings]]\nname = "s${n}"\nrepo = "-x"\n`);
      return parts.join("");
    }
    case 6: { // splice lines of two seeds
      const a = text.split("\n");
      const b = pick(rand, SEEDS).split("\n");
      return [
        ...a.slice(0, Math.floor(rand() * a.length)),
        ...b.slice(Math.floor(rand() * b.length)),
      ].join("\n");
    }
    case 7: { // a hostile key and value inserted after a table header
      const lines = text.split("\n");
      const headers = lines.flatMap((l, i) => /^\[/.test(l) ? [i] : []);
      const at = headers.length ? pick(rand, headers) : 0;
      lines.splice(at + 1, 0, `${pick(rand, KEYS)} = ${pick(rand, VALUES)}`);
      return lines.join("\n");
    }
    case 8: { // a sibling duplicated with another path or name
      const extra = pick(rand, [
        `[[siblings]]\nname = "x"\nrepo = "https://h/x2.git"\n`,
        `[[siblings]]\nname = "z"\nrepo = "https://h/z.git"\npath = "../x"\n`,
        `[[siblings]]\nname = "z"\nrepo = "https://h/z.git"\npath = "../x/inner"\n`,
        `[[siblings]]\nname = "z"\nrepo = "https://h/z.git"\ndepends_on = ["z"]\n`,
      ]);
      return text + "\n" + extra;
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

/** Where every case's wrknv.toml is said to be. */
export const CONFIG_PATH = "/fuzz/meta/wrknv.toml";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

/**
 * What an accepted workspace breaks of the loader's promises (the refusals
 * SECURITY.md lists), or null when it keeps them all.
 */
export function brokenPromise(ws: Workspace): string | null {
  const names = new Set<string>();
  const goodName = (n: string) => NAME.test(n) && !n.includes("..");
  if (ws.name !== undefined && !goodName(ws.name)) {
    return `workspace name ${JSON.stringify(ws.name)}`;
  }
  for (const l of ws.layers) if (!goodName(l)) return `layer ${JSON.stringify(l)}`;
  for (const h of [...ws.hooks.preInstall, ...ws.hooks.postInstall]) {
    if (h.trim() === "") return "an empty hook";
  }
  for (const s of ws.siblings) {
    const at = `siblings[${s.index}]`;
    if (!goodName(s.name)) return `${at}: name ${JSON.stringify(s.name)}`;
    if (names.has(s.name)) return `${at}: duplicate name ${s.name}`;
    names.add(s.name);
    const url = checkRepoUrl(s.repo);
    if ("error" in url || s.repo.startsWith("-")) return `${at}: repo ${JSON.stringify(s.repo)}`;
    if (s.revision !== undefined && (s.revision.startsWith("-") || /\s/.test(s.revision))) {
      return `${at}: revision ${JSON.stringify(s.revision)}`;
    }
    if (CONTROL.test(s.path) || !inside(s.path, ws.root) || s.path === ws.root) {
      return `${at}: path ${JSON.stringify(s.path)} and root ${JSON.stringify(ws.root)}`;
    }
    if (inside(dirname(CONFIG_PATH), s.path)) return `${at}: path holds the meta directory`;
    for (const g of s.groups) if (!goodName(g)) return `${at}: group ${JSON.stringify(g)}`;
  }
  for (const s of ws.siblings) {
    for (const d of s.dependsOn) {
      if (!names.has(d) || d === s.name) return `${s.name} depends on ${JSON.stringify(d)}`;
    }
  }
  // Nesting is allowed; the same path twice, or a sibling inside another's
  // .git directory, is not; `within` names the nearest enclosing sibling.
  const byPath = new Map<string, string>();
  for (const s of ws.siblings) {
    if (byPath.has(s.path)) return `${s.name} shares its path with ${byPath.get(s.path)}`;
    byPath.set(s.path, s.name);
  }
  for (const s of ws.siblings) {
    let nearest: string | undefined;
    let dir = dirname(s.path);
    for (; dir !== dirname(dir); dir = dirname(dir)) {
      nearest = byPath.get(dir);
      if (nearest) break;
    }
    if (nearest !== s.within) return `${s.name} within ${s.within}, not ${nearest}`;
    if (nearest && relative(dir, s.path).split(sep)[0].toLowerCase() === ".git") {
      return `${s.name} inside the .git of ${nearest}`;
    }
  }
  return null;
}

/** What went wrong with one input, or null: the whole oracle. */
export function checkInput(input: string): string | null {
  try {
    const ws = parseConfig(input, CONFIG_PATH);
    const broken = brokenPromise(ws);
    return broken ? `accepted what it should refuse: ${broken}` : null;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      return `threw ${(error as Error)?.name}: ${(error as Error)?.message?.slice(0, 300)}`;
    }
    if (CONTROL.test(error.message)) return `a message of several lines: ${error.message}`;
    if (error.message.length > 500) return `a message of ${error.message.length} characters`;
    return null;
  }
}

/** A failing case: its number, what went wrong, its input. */
export interface Failure {
  /** The case's number in the run (from 0): with the seed, it makes the input again. */
  index: number;
  /** What went wrong. */
  problem: string;
  /** The input. */
  input: string;
}

/** A case that spends this much processor time without returning is hung (it spins). */
const HANG_CPU_MS = 20_000;

/**
 * The processor time (user + system, in clock ticks of 10 ms) that the main
 * thread of process `pid` has used (the thread that runs the cases: the
 * runtime's other threads do not count), from /proc; null where that cannot
 * be read (then the watchdog falls back to wall-clock time).
 */
function cpuTicks(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The time limit of one case, in milliseconds of processor time. */
export const LIMIT_MS = 1000;

/**
 * Run cases `start` to `cases - 1` of `seed` in this thread; returns the
 * failures. `onCase` hears of each case as it starts (for a watchdog);
 * `stallAt` makes that case never return (to test the watchdog).
 */
export function fuzz(
  seed: number,
  cases: number,
  options: { start?: number; onCase?: (index: number) => void; stallAt?: number } = {},
): Failure[] {
  const rand = prng(seed);
  const failures: Failure[] = [];
  for (let index = 0; index < cases; index++) {
    const input = mutate(rand);
    if (index < (options.start ?? 0)) continue;
    options.onCase?.(index);
    if (index === options.stallAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    let ms = Infinity;
    let problem: string | null = null;
    // The time a case costs is the processor time it takes, which other
    // work on a busy machine does not inflate; a case over the limit is timed
    // once more (a garbage collection passes, a slow parser does not).
    for (let attempt = 0; attempt < 2 && ms > LIMIT_MS; attempt++) {
      const before = process.cpuUsage();
      problem = checkInput(input);
      const used = process.cpuUsage(before);
      ms = Math.min(ms, (used.user + used.system) / 1000);
    }
    if (problem) failures.push({ index, problem, input });
    else if (ms > LIMIT_MS) {
      failures.push({ index, problem: `took ${ms.toFixed(0)} ms of processor time`, input });
    }
  }
  return failures;
}

/** The input of case `index` of `seed`. */
export function nthInput(seed: number, index: number): string {
  const rand = prng(seed);
  let input = "";
  for (let i = 0; i <= index; i++) input = mutate(rand);
  return input;
}

/**
 * Run the cases in a child process watched from here: a case that has not
 * returned is a failure ("no answer") once, `hangMs` after it started, the
 * child has made no progress in processor time for `hangMs` (it blocks) or
 * has used more than 20 s of it (it spins); the child is killed and the run
 * goes on from the next case. The clock of a case starts when the child says
 * the case has started, never when the child is spawned: a child still
 * starting on a loaded machine is given `startMs` (a minute) to say its first
 * word. A slow case on a loaded machine is never taken for a hang, since it
 * keeps getting processor time. `stallAt` makes that case block for ever (to
 * test the watchdog).
 */
export async function fuzzWatched(
  seed: number,
  cases: number,
  options: { hangMs?: number; startMs?: number; stallAt?: number } = {},
): Promise<Failure[]> {
  const hangMs = options.hangMs ?? 10_000;
  const startMs = options.startMs ?? 60_000;
  const failures: Failure[] = [];
  const script = new URL(import.meta.url).pathname;
  let start = 0;
  while (start < cases) {
    const args = ["run", "-A", "--quiet", script, "--child", `${seed}`, `${cases}`, `${start}`];
    if (options.stallAt !== undefined) args.push(`${options.stallAt}`);
    const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
      .spawn();
    let current = start;
    // Until the child's first word, the clock measures its start-up.
    let started = false;
    let since = performance.now();
    let finished = false;
    let hung = -1;
    let silent = false;
    // A case is hung when, `hangMs` after it started, the child has made no
    // progress in processor time for `hangMs` (blocked), or has spent more
    // than HANG_CPU_MS of it (spinning). A slow case on a loaded machine is
    // neither: it is runnable, and gets some processor time every second.
    let cpuMark = cpuTicks(child.pid);
    let cpuAt = performance.now();
    let cpuAtStart = cpuMark;
    const timer = setInterval(() => {
      const now = performance.now();
      const cpu = cpuTicks(child.pid);
      if (cpu !== cpuMark) [cpuMark, cpuAt] = [cpu, now];
      if (!started) {
        if (now - since <= startMs) return;
        silent = true;
      } else {
        if (cpuAtStart === null) cpuAtStart = cpu;
        const spent = cpu !== null && cpuAtStart !== null ? (cpu - cpuAtStart) * 10 : 0;
        const blocked = cpu === null ? now - since > hangMs : now - cpuAt > hangMs;
        // However it looks from /proc, a case gets at most 15 times its budget.
        const tooLong = now - since > hangMs * 15;
        if (now - since <= hangMs || (!blocked && spent <= HANG_CPU_MS && !tooLong)) return;
        hung = current;
      }
      clearInterval(timer);
      try {
        child.kill("SIGKILL");
      } catch {
        // It has just ended.
      }
    }, 50);
    try {
      let buffer = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith("case ")) {
            [current, since, started] = [Number(line.slice(5)), performance.now(), true];
            [cpuAtStart, cpuMark, cpuAt] = [cpuTicks(child.pid), cpuTicks(child.pid), since];
          } else if (line.startsWith("failure ")) failures.push(JSON.parse(line.slice(8)));
          else if (line === "done") finished = true;
        }
      }
    } finally {
      clearInterval(timer);
      await child.status;
    }
    if (finished) break;
    if (silent) throw new Error(`the fuzz child said nothing in ${startMs} ms after its start`);
    if (hung < 0) throw new Error(`the fuzz child ended at case ${current} without a word`);
    failures.push({
      index: hung,
      problem: `no answer after ${hangMs} ms`,
      input: nthInput(seed, hung),
    });
    start = hung + 1;
  }
  return failures.sort((a, b) => a.index - b.index);
}

/** As the watched child: a line as each case starts, one per failure, then "done". */
function runChild(args: string[]): void {
  const [seed, cases, start, stallAt] = args.map(Number);
  const encoder = new TextEncoder();
  const say = (line: string) => {
    const bytes = encoder.encode(line + "\n");
    for (let n = 0; n < bytes.length;) n += Deno.stdout.writeSync(bytes.subarray(n));
  };
  const failures = fuzz(seed, cases, {
    start,
    onCase: (i) => say(`case ${i}`),
    stallAt: Number.isNaN(stallAt) ? undefined : stallAt,
  });
  for (const f of failures) say(`failure ${JSON.stringify(f)}`);
  say("done");
}

if (import.meta.main && Deno.args[0] === "--child") runChild(Deno.args.slice(1));
else if (import.meta.main) {
  const seed = Number(Deno.args[0] ?? Date.now() % 2 ** 31);
  const cases = Number(Deno.args[1] ?? 50_000);
  if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 0) {
    console.error("usage: deno task fuzz [seed] [cases]");
    Deno.exit(2);
  }
  console.log(`fuzzing the wrknv.toml loader: seed ${seed}, ${cases} cases`);
  const t0 = performance.now();
  const failures = await fuzzWatched(seed, cases);
  const saved = failures.length ? await Deno.makeTempDir({ prefix: `wrknv-fuzz-${seed}-` }) : "";
  for (const f of failures) {
    const file = `${saved}/case-${f.index}.toml`;
    await Deno.writeTextFile(file, f.input);
    const shown = f.input.length > 2000
      ? `${JSON.stringify(f.input.slice(0, 2000))}… (${f.input.length} characters)`
      : JSON.stringify(f.input);
    console.log(`\n--- case ${f.index}: ${f.problem}\n${shown}\n(whole input: ${file})`);
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`\n${failures.length} failing of ${cases} (${s} s)`);
  Deno.exit(failures.length ? 1 : 0);
}
