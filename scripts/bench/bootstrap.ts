/**
 * `deno task bench bootstrap`: clone 24 repositories (each with real history)
 * over git:// from git daemon on 127.0.0.1, through a proxy that adds 20 ms to
 * every chunk, with wrknv and with the other tools, round robin.
 *
 * Also: a re-run with all 24 present, and (issue 8) the bytes a second
 * workspace moves with the mirror cache warm.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type Contender, ensureApt, report, sh } from "./harness.ts";
import { delayProxy } from "./proxy.ts";
import { fmt, median } from "./stats.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

const AUTHOR = {
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@b.invalid",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@b.invalid",
};

/** A repository with `commits` commits touching a few files, made fast with git fast-import. */
async function historyRepo(path: string, commits: number, seed: number): Promise<void> {
  let stream = "";
  const lines = (i: number, k: number) =>
    Array.from(
      { length: 200 },
      (_, j) =>
        `line ${j} of file ${k}, version ${i}, seed ${seed} ${"x".repeat((j * 7 + i) % 60)}`,
    )
      .join("\n") + "\n";
  for (let i = 1; i <= commits; i++) {
    stream += `commit refs/heads/main\ncommitter b <b@b.invalid> ${1700000000 + i * 60} +0000\n`;
    const msg = `change ${i}\n`;
    stream += `data ${msg.length}\n${msg}`;
    for (let k = 0; k < 3; k++) {
      const body = lines(i, (i + k) % 12);
      stream += `M 644 inline src/file${(i + k) % 12}.txt\ndata ${
        new TextEncoder().encode(body).length
      }\n${body}`;
    }
    stream += "\n";
  }
  await sh(`git init -q --bare ${path} && git -C ${path} symbolic-ref HEAD refs/heads/main`);
  const child = new Deno.Command("git", {
    args: ["fast-import", "--quiet"],
    cwd: path,
    stdin: "piped",
    env: AUTHOR,
  })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stream));
  await w.close();
  if (!(await child.status).success) throw new Error("fast-import failed");
  await sh(`git -C ${path} gc -q --aggressive`);
}

async function du(path: string): Promise<number> {
  const out = await sh(`du -sb ${path} | cut -f1`);
  return Number(out.trim());
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 5);
  const n = 24;
  const jobs = 8;
  await ensureApt({ gita: "gita", vcs: "vcstool", mr: "myrepos" });
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-bootstrap-" });
  const daemonAbort = new AbortController();
  try {
    const served = join(dir, "served");
    const names = Array.from({ length: n }, (_, i) => `repo-${String(i).padStart(2, "0")}`);
    console.error(`making ${n} repositories with history...`);
    await Promise.all(names.map((name, i) => historyRepo(join(served, `${name}.git`), 150, i)));
    const sizes = await Promise.all(names.map((name) => du(join(served, `${name}.git`))));
    const daemonPort = 20000 + Math.floor(Math.random() * 20000);
    const daemon = new Deno.Command("git", {
      args: [
        "daemon",
        "--reuseaddr",
        "--export-all",
        `--base-path=${served}`,
        "--listen=127.0.0.1",
        `--port=${daemonPort}`,
      ],
      signal: daemonAbort.signal,
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 50; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: daemonPort })).close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const proxy = delayProxy(daemonPort, 20);
    const url = (name: string) => `git://127.0.0.1:${proxy.port}/${name}.git`;

    // Inputs for each tool.
    const home = join(dir, "home");
    await Deno.mkdir(join(home, ".config"), { recursive: true });
    const urls = join(dir, "urls.txt");
    await Deno.writeTextFile(urls, names.map(url).join("\n") + "\n");
    const repos = join(dir, "ws.repos");
    await Deno.writeTextFile(
      repos,
      "repositories:\n" +
        names.map((x) => `  ${x}:\n    type: git\n    url: ${url(x)}\n    version: main\n`).join(
          "",
        ),
    );
    const gitaCsv = join(dir, "gita.csv");
    await Deno.writeTextFile(
      gitaCsv,
      names.map((x) => `${url(x)},${x},${join(dir, "target", x)}`).join("\n") + "\n",
    );
    await Deno.writeTextFile(
      join(home, ".mrconfig"),
      names.map((x) => `[${join(dir, "target", x)}]\ncheckout = git clone '${url(x)}' '${x}'\n`)
        .join("\n"),
    );
    const meta = join(dir, "target", "meta");
    const metaToml = `[workspace]\nname = "bench"\n` +
      names.map((x) => `\n[[siblings]]\nname = "${x}"\nrepo = "${url(x)}"\n`).join("");
    const target = join(dir, "target");
    const fresh = async () => {
      await Deno.remove(target, { recursive: true }).catch(() => {});
      await Deno.mkdir(meta, { recursive: true });
      await Deno.writeTextFile(join(meta, "wrknv.toml"), metaToml);
    };
    const cloned = async () => {
      for (const x of names) await Deno.stat(join(target, x, ".git", "HEAD"));
    };
    const deno = Deno.execPath();
    const cache = join(dir, "cache");
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), WRKNV_CACHE_DIR: cache };
    const contenders: Contender[] = [
      {
        name: `xargs -P ${jobs} git clone (floor)`,
        cmd: ["sh", "-c", `xargs -P ${jobs} -n 1 git clone -q < ${urls}`],
        cwd: target,
      },
      {
        name: "seed loop (sequential git clone)",
        cmd: ["sh", "-c", `while read u; do git clone -q "$u"; done < ${urls}`],
        cwd: target,
      },
      {
        name: "vcs import (default workers)",
        cmd: ["sh", "-c", `vcs import --input ${repos} . > /dev/null`],
        cwd: target,
      },
      {
        name: `vcs import -w ${jobs}`,
        cmd: ["sh", "-c", `vcs import -w ${jobs} --input ${repos} . > /dev/null`],
        cwd: target,
      },
      { name: "gita clone -f", cmd: ["gita", "clone", "-f", gitaCsv], cwd: target, env },
      {
        name: `mr -j ${jobs} checkout`,
        cmd: ["mr", "-j", String(jobs), "checkout"],
        cwd: target,
        env,
      },
      {
        name: `wrknv bootstrap -j ${jobs} --no-cache`,
        cmd: [deno, "run", "-A", MAIN, "bootstrap", "-q", "-j", String(jobs), "--no-cache"],
        cwd: meta,
        env,
      },
      {
        name: `wrknv bootstrap -j ${jobs} (cold cache)`,
        cmd: [deno, "run", "-A", MAIN, "bootstrap", "-q", "-j", String(jobs)],
        cwd: meta,
        env,
      },
    ];
    for (const c of contenders) {
      const cold = c.name.includes("cold cache");
      c.before = async () => {
        await fresh();
        if (cold) await Deno.remove(cache, { recursive: true }).catch(() => {});
      };
      c.check = cloned;
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(
      `bootstrap: ${n} repositories (150 commits each, ${
        fmt(total / n / 1024, 0)
      } KiB packed on average) over git:// ` +
        `through a proxy adding 20 ms per chunk; ${runs} runs each, round robin; ${navigator.hardwareConcurrency} cores\n`,
    );
    const results = await compare(contenders, { runs, warmup: 1 });
    console.log(report(results, contenders[0].name) + "\n");

    // A re-run with everything present.
    await fresh();
    await sh(`${deno} run -A ${MAIN} bootstrap -q -j ${jobs} --no-cache`, { cwd: meta, env });
    const again: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await sh(`${deno} run -A ${MAIN} bootstrap -q`, { cwd: meta, env });
      again.push(performance.now() - t0);
    }
    console.log(
      `re-run with all ${n} present: median ${fmt(median(again), 0)} ms (goal < 300 ms)\n`,
    );

    // Issue 8: the bytes a second workspace moves with the mirror cache warm.
    await Deno.remove(cache, { recursive: true }).catch(() => {});
    await fresh();
    proxy.reset();
    await sh(`${deno} run -A ${MAIN} bootstrap -q -j ${jobs}`, { cwd: meta, env });
    const first = proxy.bytesDown();
    const second = join(dir, "second");
    await Deno.mkdir(join(second, "meta"), { recursive: true });
    await Deno.writeTextFile(join(second, "meta", "wrknv.toml"), metaToml);
    proxy.reset();
    await sh(`${deno} run -A ${MAIN} bootstrap -q -j ${jobs}`, { cwd: join(second, "meta"), env });
    const warm = proxy.bytesDown();
    console.log(
      `cache: first workspace moved ${
        fmt(first / 1024, 0)
      } KiB over the network, a second workspace with the ` +
        `cache warm ${fmt(warm / 1024, 1)} KiB: ${
          fmt(first / Math.max(1, warm), 1)
        }× fewer (goal ≥ 5×)`,
    );
    proxy.close();
    daemonAbort.abort();
    await daemon.status;
  } finally {
    daemonAbort.abort();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
