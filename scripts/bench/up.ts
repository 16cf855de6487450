/**
 * `deno task bench up [siblings] [runs]`: `wrknv up` with everything already
 * in place (goal: ≤ 1.5 s on 13 siblings), and `setup` and `validate` alone
 * on the same no-op. The workspace is one a team would have: a meta
 * repository and its siblings cloned from bare repositories on disk
 * (file:// URLs), Python packages written as people write them (the
 * shortest pyproject.toml setuptools accepts, a few on hatchling, one with a
 * setup.cfg), dependencies between them, one external requirement, and two
 * siblings that are not Python (a docs repository and a web front end one
 * package depends on). `up` runs once to do the work, offline, from a
 * wheel directory (`pip download hatchling` into the user's cache the first
 * time), in a workspace of its own for each wrknv measured; then each
 * no-op is measured, round robin, wall and CPU of the whole process tree,
 * and each run is checked to have left site-packages as it was.
 * `WRKNV_BENCH_BEFORE=/other/checkout/main.ts` adds an earlier wrknv to the
 * same run. `WRKNV_BENCH_KEEP=1` leaves the workspaces on disk and prints
 * where.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeMain, compare, type Contender, type Measured, measureOnce, sh } from "./harness.ts";
import { fmt, markdownTable } from "./stats.ts";
import { sitePackagesStamp } from "../../src/python/venv.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const SYSTEM_WHEELS = "/usr/share/python-wheels";

/** One sibling of the bench workspace. */
export interface BenchSibling {
  /** Sibling (and directory) name. */
  name: string;
  /** How it is packaged. */
  kind: "setuptools-bare" | "setuptools" | "setup-cfg" | "hatchling" | "docs" | "web";
  /** Siblings its Python metadata depends on. */
  deps: string[];
  /** External requirements. */
  external?: string[];
  /** `depends_on` in wrknv.toml (a non-Python sibling). */
  dependsOn?: string[];
}

/** `n` siblings (at least 3): two not Python, the rest in a dependency chain of layers. */
export function benchSiblings(n: number): BenchSibling[] {
  const kinds: BenchSibling["kind"][] = ["setuptools-bare", "setuptools", "hatchling", "setup-cfg"];
  const py = Math.max(1, n - 2);
  const out: BenchSibling[] = [];
  for (let i = 0; i < py; i++) {
    const name = `wrknvtest-up-${String(i).padStart(2, "0")}`;
    // Each depends on one or two earlier ones: a graph several layers deep.
    const deps = i === 0 ? [] : [...new Set([out[Math.floor((i - 1) / 2)].name, out[i - 1].name])];
    out.push({ name, kind: kinds[i % kinds.length], deps });
  }
  out[0].external = ["packaging"];
  out.push({ name: "wrknvtest-up-docs", kind: "docs", deps: [] });
  out.push({ name: "wrknvtest-up-web", kind: "web", deps: [] });
  out[py - 1].dependsOn = ["wrknvtest-up-web"];
  return out;
}

const mod = (name: string) => name.replace(/-/g, "_");
const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(", ");

/** The files of one sibling, as people write them. */
export function siblingFiles(s: BenchSibling): Record<string, string> {
  const reqs = [...s.deps, ...(s.external ?? [])];
  const init = `"""${s.name}."""\n\nNAME = "${s.name}"\n`;
  switch (s.kind) {
    case "setuptools-bare":
      // No [build-system]: pip takes setuptools' legacy backend; flat layout.
      return {
        "pyproject.toml": `[project]\nname = "${s.name}"\nversion = "0.1.0"\n` +
          (reqs.length ? `dependencies = [${list(reqs)}]\n` : ""),
        [`${mod(s.name)}/__init__.py`]: init,
        ".gitignore": "*.egg-info/\n__pycache__/\nbuild/\n",
      };
    case "setuptools":
      return {
        "pyproject.toml": `[build-system]\nrequires = ["setuptools>=61"]\n` +
          `build-backend = "setuptools.build_meta"\n\n[project]\nname = "${s.name}"\n` +
          `version = "0.2.0"\nrequires-python = ">=3.8"\ndependencies = [${list(reqs)}]\n`,
        [`src/${mod(s.name)}/__init__.py`]: init,
        "README.md": `# ${s.name}\n`,
        ".gitignore": "*.egg-info/\n__pycache__/\n",
      };
    case "setup-cfg":
      return {
        "pyproject.toml": `[build-system]\nrequires = ["setuptools"]\n` +
          `build-backend = "setuptools.build_meta"\n`,
        "setup.cfg":
          `[metadata]\nname = ${s.name}\nversion = 1.0\n\n[options]\npackages = find:\n` +
          (reqs.length ? `install_requires =\n${reqs.map((r) => `    ${r}\n`).join("")}` : ""),
        [`${mod(s.name)}/__init__.py`]: init,
        ".gitignore": "*.egg-info/\n__pycache__/\n",
      };
    case "hatchling":
      return {
        "pyproject.toml":
          `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n` +
          `[project]\nname = "${s.name}"\nversion = "0.3.0"\ndependencies = [${list(reqs)}]\n`,
        [`src/${mod(s.name)}/__init__.py`]: init,
        ".gitignore": "__pycache__/\n",
      };
    case "docs":
      return { "README.md": "# docs\n", "index.md": "Welcome.\n" };
    case "web":
      return {
        "package.json": `{ "name": "wrknvtest-up-web", "version": "1.0.0", "private": true }\n`,
        "src/index.js": "export const hello = () => 'hello';\n",
      };
  }
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@b.invalid",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@b.invalid",
};

/**
 * Write the workspace under `dir`: `remotes/<name>.git` (bare) and
 * `root/meta` (a git repository holding wrknv.toml, siblings beside it, not
 * yet cloned). Returns the meta directory.
 */
export async function writeWorkspace(dir: string, siblings: BenchSibling[]): Promise<string> {
  const remotes = join(dir, "remotes");
  for (const s of siblings) {
    const work = join(remotes, `${s.name}.work`);
    for (const [file, text] of Object.entries(siblingFiles(s))) {
      await Deno.mkdir(join(work, file, ".."), { recursive: true });
      await Deno.writeTextFile(join(work, file), text);
    }
    await sh(
      `git init -q -b main && git add -A && git commit -qm init && git clone -q --bare . ../${s.name}.git && cd .. && rm -rf ${s.name}.work`,
      { cwd: work, env: GIT_ENV },
    );
  }
  const meta = join(dir, "root", "meta");
  await Deno.mkdir(meta, { recursive: true });
  const toml = `[workspace]\nname = "bench-up"\n` +
    siblings.map((s) =>
      `\n[[siblings]]\nname = "${s.name}"\nrepo = "file://${remotes}/${s.name}.git"\n` +
      (s.kind === "docs" || s.kind === "web" ? "install = false\n" : "") +
      (s.dependsOn ? `depends_on = [${list(s.dependsOn)}]\n` : "")
    ).join("");
  await Deno.writeTextFile(join(meta, "wrknv.toml"), toml);
  await Deno.writeTextFile(join(meta, ".gitignore"), ".venv/\n.wrknv/\n");
  await sh("git init -q -b main && git add -A && git commit -qm meta", { cwd: meta, env: GIT_ENV });
  return meta;
}

/** A wheel directory with hatchling and its dependencies (downloaded once, then kept). */
export async function benchWheels(): Promise<string> {
  const cache = join(
    Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? "/tmp", ".cache"),
    "wrknv-bench",
    "wheels",
  );
  const have = await Array.fromAsync(Deno.readDir(cache)).catch(() => []);
  if (!have.some((e) => e.name.startsWith("editables-"))) {
    console.error(`downloading hatchling and editables into ${cache}`);
    await Deno.mkdir(cache, { recursive: true });
    await sh(
      `python3 -m pip download -q --disable-pip-version-check -d ${cache} hatchling editables`,
    );
  }
  return cache;
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 13);
  const runs = Number(args[1] ?? 5);
  const keep = Boolean(Deno.env.get("WRKNV_BENCH_KEEP"));
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-up-" });
  try {
    const siblings = benchSiblings(n);
    const wheels = await benchWheels();
    const offline = ["--offline", "--find-links", wheels, "--find-links", SYSTEM_WHEELS];
    const env = { PIP_CONFIG_FILE: "/dev/null", WRKNV_CACHE_DIR: join(dir, "cache") };
    const py = siblings.filter((s) => s.kind !== "docs" && s.kind !== "web");
    const wrknvs: [string, string][] = [["wrknv", MAIN]];
    const before = beforeMain();
    if (before) wrknvs.push(["before", before]);
    // A workspace each: what one wrknv records of its last setup is not the other's.
    const metas = new Map<string, string>();
    for (const [who, main] of wrknvs) {
      const meta = await writeWorkspace(join(dir, who), siblings);
      await sh(`${Deno.execPath()} run -A ${main} up -q ${offline.join(" ")}`, { cwd: meta, env });
      // The work was done: every package imports.
      const python = join(meta, ".venv", "bin", "python");
      await sh(`${python} -c "import ${py.map((s) => mod(s.name)).join(", ")}"`);
      metas.set(who, meta);
    }
    const commands: [string, string[]][] = [
      ["up", ["up", "-q", ...offline]],
      ["setup", ["setup", "-q", ...offline]],
      ["validate", ["validate", "-q"]],
    ];
    const contenders: Contender[] = [];
    for (const [label, args] of commands) {
      for (const [who, main] of wrknvs) {
        const meta = metas.get(who)!;
        const venv = join(meta, ".venv");
        let site: string | null = null;
        contenders.push({
          name: `${who} ${label}`,
          cmd: [Deno.execPath(), "run", "-A", main, ...args],
          cwd: meta,
          env,
          before: async () => {
            site = await sitePackagesStamp(venv);
          },
          // A no-op installs nothing: site-packages is as it was.
          check: async () => {
            if (site !== await sitePackagesStamp(venv)) {
              throw new Error(`${who} ${label} changed the venv: it was not a no-op`);
            }
          },
        });
      }
    }
    if (keep) console.error(`workspaces kept in ${dir}`);
    console.log(
      `up, nothing to do: ${siblings.length} siblings (${py.length} Python), all in place; ${runs} runs each, round robin\n`,
    );
    // The first setup after the up that did the work is already a no-op (under the timer,
    // where PATH is not the shell's: pyenv's exec puts the interpreter's bin first).
    const first = contenders.find((c) => c.name === "wrknv setup")!;
    await first.before!();
    await measureOnce(first);
    await first.check!();
    const results = await compare(contenders, { runs, warmup: 1 });
    console.log(table(results, commands.map(([l]) => l), before !== undefined));
    const up = results.find((r) => r.name === "wrknv up")!;
    console.log(
      `\nwrknv up (nothing to do): median ${fmt(up.median, 0)} ms wall, ${
        fmt(up.cpuMedian, 0)
      } ms CPU (goal: ≤ 1,500 ms on 13 siblings)`,
    );
  } finally {
    if (!keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function table(results: Measured[], labels: string[], withBefore: boolean): string {
  const by = new Map(results.map((r) => [r.name, r]));
  const header = ["no-op", "wall ms (median)", "min ms", "CPU ms (user+sys)"];
  if (withBefore) header.push("before wall ms", "before CPU ms", "wall ratio", "CPU ratio");
  return markdownTable(
    header,
    labels.map((l) => {
      const a = by.get(`wrknv ${l}`)!;
      const row = [
        `wrknv ${l}`,
        fmt(a.median, 0),
        fmt(Math.min(...a.times), 0),
        fmt(a.cpuMedian, 0),
      ];
      const b = by.get(`before ${l}`);
      if (b) {
        row.push(
          fmt(b.median, 0),
          fmt(b.cpuMedian, 0),
          `${fmt(a.median / b.median, 2)}×`,
          `${fmt(a.cpuMedian / b.cpuMedian, 2)}×`,
        );
      }
      return row;
    }),
  );
}
