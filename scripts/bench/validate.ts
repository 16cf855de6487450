/**
 * `deno task bench validate`: `wrknv validate` on a 13-sibling workspace (set
 * up once, offline), next to the seed's validate.sh way: a loop running
 * `python -c "import <name>"` once per package. Goal: well under 2 s.
 * `WRKNV_BENCH_BASELINE=/other/checkout/main.ts` adds an earlier wrknv to
 * the same run, so a change is measured as a ratio within one run.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeMain, compare, type Contender, report, sh } from "./harness.ts";
import { packages } from "./setup.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const WHEELS = "/usr/share/python-wheels";

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 10);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-validate-" });
  try {
    const { pkgs, meta } = await setUpWorkspace(dir);
    const python = join(meta, ".venv", "bin", "python");
    const seed = `for m in ${
      pkgs.map((p) => p.name.replace(/-/g, "_")).join(" ")
    }; do ${python} -c "import $m" || exit 1; done`;
    const contenders: Contender[] = [
      { name: "seed validate.sh: one python -c import per package", cmd: ["sh", "-c", seed] },
      {
        name: "wrknv validate",
        cmd: [Deno.execPath(), "run", "-A", MAIN, "validate", "-q"],
        cwd: meta,
      },
    ];
    // Another checkout's main.ts (an earlier wrknv) in the same run, for a before/after ratio.
    const baseline = beforeMain();
    if (baseline) {
      contenders.push({
        name: "wrknv validate, baseline (WRKNV_BENCH_BASELINE)",
        cmd: [Deno.execPath(), "run", "-A", baseline, "validate", "-q"],
        cwd: meta,
      });
    }
    console.log(
      `validate: ${pkgs.length} siblings, set up offline; ${runs} runs each, round robin\n`,
    );
    const results = await compare(contenders, { runs, warmup: 1 });
    console.log(report(results, contenders[0].name));
    console.log(
      `\nwrknv validate: median ${results[1].median.toFixed(0)} ms (goal: well under 2,000 ms), ` +
        "with every check: tools, layers, git state of each sibling, the venv, the installs and the imports",
    );
    if (baseline) {
      console.log(
        `wrknv validate / baseline: ${
          (results[1].median / results[2].median).toFixed(2)
        }× wall (median), ${
          (results[1].cpuMedian / results[2].cpuMedian).toFixed(2)
        }× CPU (median)`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * A workspace of the 13 packages of the setup benchmark in `dir`: bare
 * remotes, a meta-repository, and `wrknv up` run once (offline). Returns the
 * packages and the meta-repository's path.
 */
export async function setUpWorkspace(
  dir: string,
): Promise<{ pkgs: ReturnType<typeof packages>; meta: string }> {
  const pkgs = packages();
  const remotes = join(dir, "remotes");
  const env = {
    GIT_AUTHOR_NAME: "b",
    GIT_AUTHOR_EMAIL: "b@b.invalid",
    GIT_COMMITTER_NAME: "b",
    GIT_COMMITTER_EMAIL: "b@b.invalid",
  };
  for (const [i, p] of pkgs.entries()) {
    const work = join(remotes, `${p.name}.work`);
    const mod = p.name.replace(/-/g, "_");
    await Deno.mkdir(join(work, "src", mod), { recursive: true });
    // As people write them: every other one the shortest file pip takes (no [build-system]).
    await Deno.writeTextFile(
      join(work, "pyproject.toml"),
      (i % 2
        ? `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n`
        : "") +
        `[project]\nname = "${p.name}"\nversion = "0.1.0"\ndependencies = [${
          p.deps.map((d) => `"${d}"`).join(", ")
        }]\n`,
    );
    await Deno.writeTextFile(join(work, "src", mod, "__init__.py"), `NAME = "${p.name}"\n`);
    await Deno.writeTextFile(join(work, ".gitignore"), "*.egg-info/\n__pycache__/\n");
    await sh(
      `git init -q -b main && git add -A && git commit -qm init && git clone -q --bare . ../${p.name}.git`,
      { cwd: work, env },
    );
  }
  const meta = join(dir, "root", "meta");
  await Deno.mkdir(meta, { recursive: true });
  await Deno.writeTextFile(
    join(meta, "wrknv.toml"),
    `[workspace]\nname = "bench"\nlayers = ["foundation", "framework", "tools", "providers"]\n` +
      pkgs.map((p) =>
        `\n[[siblings]]\nname = "${p.name}"\nrepo = "file://${remotes}/${p.name}.git"\nlayer = "${p.layer}"\n`
      ).join(""),
  );
  await sh(`${Deno.execPath()} run -A ${MAIN} up -q --offline --find-links ${WHEELS}`, {
    cwd: meta,
  });
  return { pkgs, meta };
}
