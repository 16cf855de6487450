/**
 * `deno task bench bootstrap [runs] [variant...]`: clone 24 repositories over
 * git:// from git daemon on 127.0.0.1 with wrknv (no cache, a cold cache, a
 * warm cache) and with the other tools, round robin, wall-clock and processor
 * time (user + system of each whole process tree) side by side.
 *
 * Variants (all by default):
 * - `proxy`: small repositories (150 commits, ~670 KiB packed) through a proxy
 *   that adds 20 ms to every chunk (an emulated network round trip);
 * - `cpu`: the same repositories straight from the daemon: every process and
 *   every byte copied is paid in wall time on a busy machine;
 * - `large`: repositories of ~10 MiB each (random bytes over 40 commits)
 *   through the same proxy, where the cache should save the most.
 *
 * `--no-peers` leaves the other tools out (for more runs in the same time).
 * Through the proxy the table also gives the bytes each contender moved from
 * the server. `WRKNV_BENCH_BEFORE=/path/to/older/main.ts` adds that wrknv
 * (no cache, cold, warm) to the same runs, for before-and-after figures.
 * Also: a re-run with all 24 present.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  beforeMain,
  compare,
  type Contender,
  ensureApt,
  type Measured,
  measureOnce,
  sh,
} from "./harness.ts";
import { delayProxy } from "./proxy.ts";
import { fmt, markdownTable, median } from "./stats.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

const AUTHOR = {
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@b.invalid",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@b.invalid",
};

/** Feed a fast-import stream (built by `write`) into a new bare repository. */
async function fastImport(
  path: string,
  write: (out: (s: string | Uint8Array) => Promise<void>) => Promise<void>,
) {
  await sh(`git init -q --bare ${path} && git -C ${path} symbolic-ref HEAD refs/heads/main`);
  const child = new Deno.Command("git", {
    args: ["fast-import", "--quiet"],
    cwd: path,
    stdin: "piped",
    env: AUTHOR,
  }).spawn();
  const w = child.stdin.getWriter();
  const enc = new TextEncoder();
  await write((s) => w.write(typeof s === "string" ? enc.encode(s) : s));
  await w.close();
  if (!(await child.status).success) throw new Error("fast-import failed");
}

/** A repository with `commits` commits touching a few text files. */
async function historyRepo(path: string, commits: number, seed: number): Promise<void> {
  const lines = (i: number, k: number) =>
    Array.from(
      { length: 200 },
      (_, j) =>
        `line ${j} of file ${k}, version ${i}, seed ${seed} ${"x".repeat((j * 7 + i) % 60)}`,
    ).join("\n") + "\n";
  await fastImport(path, async (out) => {
    for (let i = 1; i <= commits; i++) {
      let s = `commit refs/heads/main\ncommitter b <b@b.invalid> ${1700000000 + i * 60} +0000\n`;
      const msg = `change ${i}\n`;
      s += `data ${msg.length}\n${msg}`;
      for (let k = 0; k < 3; k++) {
        const body = lines(i, (i + k) % 12);
        s += `M 644 inline src/file${(i + k) % 12}.txt\ndata ${
          new TextEncoder().encode(body).length
        }\n${body}`;
      }
      await out(s + "\n");
    }
  });
  await sh(`git -C ${path} gc -q --aggressive`);
}

/** A repository of ~`mib` MiB packed: `commits` commits, each adding a file of random bytes. */
async function largeRepo(path: string, mib: number, commits: number) {
  const bytes = Math.floor((mib * 1024 * 1024) / commits);
  await fastImport(path, async (out) => {
    for (let i = 1; i <= commits; i++) {
      const data = new Uint8Array(bytes);
      for (let j = 0; j < bytes; j += 65536) {
        crypto.getRandomValues(data.subarray(j, Math.min(bytes, j + 65536)));
      }
      const msg = `add blob ${i}\n`;
      await out(
        `commit refs/heads/main\ncommitter b <b@b.invalid> ${1700000000 + i * 60} +0000\n` +
          `data ${msg.length}\n${msg}M 644 inline data/blob${i}.bin\ndata ${bytes}\n`,
      );
      await out(data);
      await out("\n");
    }
  });
}

async function du(path: string): Promise<number> {
  return Number((await sh(`du -sb ${path} | cut -f1`)).trim());
}

const VARIANTS = ["proxy", "cpu", "large"] as const;
type Variant = typeof VARIANTS[number];

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
  const peers = !args.includes("--no-peers");
  const asked = args.filter((a) => !/^\d+$/.test(a) && a !== "--no-peers");
  for (const a of asked) {
    if (!(VARIANTS as readonly string[]).includes(a)) {
      throw new Error(`unknown variant ${a}: use ${VARIANTS.join(", ")}`);
    }
  }
  const variants = (asked.length ? asked : VARIANTS) as Variant[];
  await ensureApt({ gita: "gita", vcs: "vcstool", mr: "myrepos" });
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-bootstrap-" });
  const daemons: { abort: AbortController; child: Deno.ChildProcess }[] = [];
  try {
    const n = 24;
    const names = Array.from({ length: n }, (_, i) => `repo-${String(i).padStart(2, "0")}`);
    const serve = async (served: string) => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const abort = new AbortController();
      const child = new Deno.Command("git", {
        args: [
          "daemon",
          "--reuseaddr",
          "--export-all",
          `--base-path=${served}`,
          "--listen=127.0.0.1",
          `--port=${port}`,
        ],
        signal: abort.signal,
        stdout: "null",
        stderr: "null",
      }).spawn();
      daemons.push({ abort, child });
      for (let i = 0; i < 50; i++) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return port;
    };
    let small: string | undefined;
    for (const variant of variants) {
      let served: string;
      if (variant === "large") {
        served = join(dir, "served-large");
        console.error(`making ${n} repositories of ~10 MiB...`);
        for (let i = 0; i < n; i += 4) {
          await Promise.all(
            names.slice(i, i + 4).map((name) => largeRepo(join(served, `${name}.git`), 10, 40)),
          );
        }
      } else {
        served = small ??= join(dir, "served");
        if (!(await exists(join(served, `${names[0]}.git`)))) {
          console.error(`making ${n} repositories with history...`);
          await Promise.all(
            names.map((name, i) => historyRepo(join(served, `${name}.git`), 150, i)),
          );
        }
      }
      const port = await serve(served);
      await runVariant({ variant, dir: join(dir, variant), served, port, names, runs, peers });
      const d = daemons.pop()!;
      d.abort.abort();
      await d.child.status.catch(() => {});
    }
  } finally {
    for (const d of daemons) {
      d.abort.abort();
      await d.child.status.catch(() => {});
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function runVariant(
  o: {
    variant: Variant;
    dir: string;
    served: string;
    port: number;
    names: string[];
    runs: number;
    peers: boolean;
  },
): Promise<void> {
  const { variant, dir, names, runs } = o;
  const n = names.length;
  const jobs = 8;
  await Deno.mkdir(dir, { recursive: true });
  const proxy = variant === "cpu" ? undefined : delayProxy(o.port, 20);
  try {
    const port = proxy?.port ?? o.port;
    const url = (name: string) => `git://127.0.0.1:${port}/${name}.git`;

    // Inputs for each tool.
    const home = join(dir, "home");
    await Deno.mkdir(join(home, ".config"), { recursive: true });
    const urls = join(dir, "urls.txt");
    await Deno.writeTextFile(urls, names.map(url).join("\n") + "\n");
    const repos = join(dir, "ws.repos");
    await Deno.writeTextFile(
      repos,
      "repositories:\n" +
        names.map((x) => `  ${x}:\n    type: git\n    url: ${url(x)}\n    version: main\n`)
          .join(""),
    );
    const target = join(dir, "target");
    const gitaCsv = join(dir, "gita.csv");
    await Deno.writeTextFile(
      gitaCsv,
      names.map((x) => `${url(x)},${x},${join(target, x)}`).join("\n") + "\n",
    );
    await Deno.writeTextFile(
      join(home, ".mrconfig"),
      names.map((x) => `[${join(target, x)}]\ncheckout = git clone '${url(x)}' '${x}'\n`)
        .join("\n"),
    );
    const meta = join(target, "meta");
    const metaToml = `[workspace]\nname = "bench"\n` +
      names.map((x) => `\n[[siblings]]\nname = "${x}"\nrepo = "${url(x)}"\n`).join("");
    const fresh = async () => {
      await Deno.remove(target, { recursive: true }).catch(() => {});
      await Deno.mkdir(meta, { recursive: true });
      await Deno.writeTextFile(join(meta, "wrknv.toml"), metaToml);
    };
    const deno = Deno.execPath();
    const env = (cache: string) => ({
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      WRKNV_CACHE_DIR: join(dir, cache),
    });
    const peerEnv = env("unused");
    const peerContenders: Contender[] = [{
      name: "seed loop (sequential git clone)",
      cmd: ["sh", "-c", `while read u; do git clone -q "$u"; done < ${urls}`],
      cwd: target,
    }, {
      name: `vcs import -w ${jobs}`,
      cmd: ["sh", "-c", `vcs import -w ${jobs} --input ${repos} . > /dev/null`],
      cwd: target,
    }, {
      name: "gita clone -f",
      cmd: ["gita", "clone", "-f", gitaCsv],
      cwd: target,
      env: peerEnv,
    }, {
      name: `mr -j ${jobs} checkout`,
      cmd: ["mr", "-j", String(jobs), "checkout"],
      cwd: target,
      env: peerEnv,
    }];
    const contenders: Contender[] = [
      {
        name: `xargs -P ${jobs} git clone (floor)`,
        cmd: ["sh", "-c", `xargs -P ${jobs} -n 1 git clone -q < ${urls}`],
        cwd: target,
      },
      {
        // Each clone in a session of its own, as wrknv starts them: with the
        // kernel's autogroup scheduling, a loaded machine gives each session
        // its own share, which shows here.
        name: `xargs -P ${jobs} setsid git clone`,
        cmd: ["sh", "-c", `xargs -P ${jobs} -n 1 setsid git clone -q < ${urls}`],
        cwd: target,
      },
      ...(o.peers ? peerContenders : []),
    ];
    const wrknvs: [string, string][] = [["wrknv", MAIN]];
    const before = beforeMain();
    if (before) wrknvs.push(["wrknv before", before]);
    const colds = new Set<string>();
    for (const [label, main] of wrknvs) {
      const tag = label.replace(/\s+/g, "-");
      const cmd = [deno, "run", "-A", main, "bootstrap", "-q", "-j", String(jobs)];
      contenders.push(
        { name: `${label} --no-cache`, cmd: [...cmd, "--no-cache"], cwd: meta, env: env("none") },
        { name: `${label} (cold cache)`, cmd, cwd: meta, env: env(`${tag}-cold`) },
        { name: `${label} (warm cache)`, cmd, cwd: meta, env: env(`${tag}-warm`) },
      );
      colds.add(`${label} (cold cache)`);
    }
    const bytes = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    for (const c of contenders) {
      c.before = async () => {
        await fresh();
        if (colds.has(c.name)) {
          await Deno.remove(c.env!.WRKNV_CACHE_DIR, { recursive: true })
            .catch(() => {});
        }
        proxy?.reset();
      };
      c.check = async () => {
        bytes.get(c.name)!.push(proxy?.bytesDown() ?? 0);
        for (const x of names) await Deno.stat(join(target, x, ".git", "HEAD"));
      };
    }
    const sizes = await Promise.all(names.map((name) => du(join(o.served, `${name}.git`))));
    const total = sizes.reduce((a, b) => a + b, 0);
    const how = variant === "cpu"
      ? "straight from the daemon (no proxy: bound by processor time)"
      : "through a proxy adding 20 ms per chunk";
    console.log(
      `\n### bootstrap, ${variant}: ${n} repositories (${
        fmt(total / n / 1024, 0)
      } KiB packed on average) over git:// ${how}; -j ${jobs}; ${runs} runs each, round robin; ` +
        `${navigator.hardwareConcurrency} cores\n`,
    );
    const results = await compare(contenders, { runs, warmup: 1 });
    console.log(table(results, contenders[0].name, proxy ? bytes : undefined) + "\n");

    // A re-run with everything present.
    await fresh();
    const wrknv = contenders.find((c) => c.name === "wrknv --no-cache")!;
    await measureOnce(wrknv);
    const again: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = await measureOnce({ ...wrknv, cmd: [deno, "run", "-A", MAIN, "bootstrap", "-q"] });
      again.push(t.wall);
      cpu.push(t.user + t.sys);
    }
    console.log(
      `re-run with all ${n} present: median ${fmt(median(again), 0)} ms, CPU ${
        fmt(median(cpu), 0)
      } ms (goal < 300 ms)\n`,
    );
  } finally {
    proxy?.close();
  }
}

function table(results: Measured[], baseline: string, bytes?: Map<string, number[]>): string {
  const base = results.find((r) => r.name === baseline)!;
  const baseBytes = bytes ? median(bytes.get(baseline)!) : 0;
  return markdownTable(
    [
      "command",
      "median ms",
      "min ms",
      "ratio",
      "CPU ms (user+sys)",
      "CPU ratio",
      ...(bytes ? ["KiB from the server", "bytes ratio"] : []),
    ],
    results.map((r) => {
      const b = bytes ? median(bytes.get(r.name)!) : 0;
      return [
        r.name,
        fmt(r.median, 0),
        fmt(Math.min(...r.times), 0),
        `${fmt(r.median / base.median, 2)}×`,
        fmt(r.cpuMedian, 0),
        `${fmt(r.cpuMedian / base.cpuMedian, 2)}×`,
        ...(bytes ? [fmt(b / 1024, 0), `${fmt(b / Math.max(1, baseBytes), 3)}×`] : []),
      ];
    }),
  ) + `\n\nratios are to ${baseline}; CPU is user + system time of each whole process tree`;
}
