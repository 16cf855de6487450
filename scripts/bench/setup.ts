/**
 * `deno task bench setup`: 13 packages written as most are
 * (`requires = ["setuptools>=61"]`, no `wheel`), a fresh venv each run,
 * offline. wrknv with pip and with uv against the seed's loop (one `pip
 * install -e` per package), one batched pip call with build isolation, and
 * the floor (one `pip install --no-build-isolation --no-deps -e ...` after
 * setuptools and wheel, the backends preinstalled).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { which } from "../../src/proc/mod.ts";
import { compare, type Contender, report, sh } from "./harness.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const WHEELS = "/usr/share/python-wheels";

/** 13 packages in 4 layers; each depends on one or two below it. */
export function packages(): { name: string; deps: string[]; layer: string }[] {
  const layers = [["f1", "f2", "f3"], ["w1", "w2", "w3", "w4"], ["t1", "t2", "t3"], [
    "p1",
    "p2",
    "p3",
  ]];
  const names = ["foundation", "framework", "tools", "providers"];
  const out: { name: string; deps: string[]; layer: string }[] = [];
  layers.forEach((layer, li) => {
    layer.forEach((n, i) => {
      const below = li ? layers[li - 1] : [];
      const deps = below.length ? [below[i % below.length], below[(i + 1) % below.length]] : [];
      out.push({
        name: `wrknvtest-pkg-${n}`,
        deps: [...new Set(deps)].map((d) => `wrknvtest-pkg-${d}`),
        layer: names[li],
      });
    });
  });
  return out;
}

async function writePackage(dir: string, name: string, deps: string[]): Promise<void> {
  const mod = name.replace(/-/g, "_");
  await Deno.mkdir(join(dir, "src", mod), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "pyproject.toml"),
    `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n` +
      `[project]\nname = "${name}"\nversion = "0.1.0"\ndependencies = [${
        deps.map((d) => `"${d}"`).join(", ")
      }]\n\n` +
      `[project.optional-dependencies]\ndev = []\n\n[tool.setuptools.packages.find]\nwhere = ["src"]\n`,
  );
  await Deno.writeTextFile(join(dir, "src", mod, "__init__.py"), `NAME = "${name}"\n`);
}

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 3);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-setup-" });
  try {
    const pkgs = packages();
    const root = join(dir, "root");
    for (const p of pkgs) await writePackage(join(root, p.name), p.name, p.deps);
    const uv = await which("uv");
    if (!uv) throw new Error("uv is not on PATH: pip install uv");
    const meta = join(root, "meta");
    const metaUv = join(root, "meta-uv");
    for (const [dir, installer] of [[meta, "pip"], [metaUv, "uv"]]) {
      await Deno.mkdir(dir);
      await Deno.writeTextFile(
        join(dir, "wrknv.toml"),
        `[workspace]\nname = "bench"\nlayers = ["foundation", "framework", "tools", "providers"]\n\n` +
          `[workspace.python]\nextras = ["dev"]\ninstaller = "${installer}"\n` +
          pkgs.map((p) =>
            `\n[[siblings]]\nname = "${p.name}"\nrepo = "https://example.invalid/${p.name}.git"\nlayer = "${p.layer}"\n`
          )
            .join(""),
      );
    }
    // The seed kept the order by hand: dependency order.
    const ordered = pkgs.map((p) => join(root, p.name));
    const venv = join(dir, "venv");
    const wrknvVenv = join(meta, ".venv");
    const uvVenv = join(metaUv, ".venv");
    const pip =
      `${venv}/bin/python -m pip install -q --disable-pip-version-check --no-index --find-links ${WHEELS}`;
    const seed = `python3 -m venv ${venv} && for p in ${ordered.join(" ")}; do ` +
      `${pip} -e "$p[dev]" || ${pip} -e "$p"; done`;
    const batched = `python3 -m venv ${venv} && ${pip} ${
      ordered.map((p) => `-e ${p}[dev]`).join(" ")
    }`;
    const floor =
      `python3 -m venv ${venv} && ${pip} setuptools wheel && ${pip} --no-build-isolation --no-deps ${
        ordered.map((p) => `-e ${p}`).join(" ")
      }`;
    const clean = async () => {
      await Deno.remove(venv, { recursive: true }).catch(() => {});
      for (const m of [meta, metaUv]) {
        await Deno.remove(join(m, ".venv"), { recursive: true }).catch(() => {});
        await Deno.remove(join(m, ".wrknv"), { recursive: true }).catch(() => {});
      }
      await sh(`rm -rf ${root}/*/src/*.egg-info ${root}/*/build`);
    };
    const imports = pkgs.map((p) => p.name.replace(/-/g, "_")).join(", ");
    const checkVenv = (v: string) => async () => {
      await sh(`${v}/bin/python -c "import ${imports}"`);
    };
    const wrknvSetup = [
      Deno.execPath(),
      "run",
      "-A",
      MAIN,
      "setup",
      "-q",
      "--offline",
      "--find-links",
      WHEELS,
    ];
    const contenders: Contender[] = [
      {
        name: "floor: one pip -e call, no isolation, no deps",
        cmd: ["sh", "-c", floor],
        check: checkVenv(venv),
      },
      {
        name: "seed loop: one pip install -e per package",
        cmd: ["sh", "-c", seed],
        check: checkVenv(venv),
      },
      {
        name: "one batched pip call with build isolation",
        cmd: ["sh", "-c", batched],
        check: checkVenv(venv),
      },
      {
        name: "wrknv setup --offline (pip)",
        cmd: wrknvSetup,
        cwd: meta,
        check: checkVenv(wrknvVenv),
      },
      {
        name: "wrknv setup --offline (uv)",
        cmd: wrknvSetup,
        cwd: metaUv,
        check: checkVenv(uvVenv),
      },
    ];
    for (const c of contenders) c.before = clean;
    console.log(
      `setup: ${pkgs.length} packages, a fresh venv each run, offline; ${runs} runs each, round robin\n`,
    );
    const results = await compare(contenders, { runs, warmup: 0 });
    console.log(report(results, contenders[0].name));
    const [floorMs, seedMs, , pipMs, uvMs] = results.map((r) => r.median);
    console.log(
      `\nwrknv (pip) is ${(seedMs / pipMs).toFixed(2)}× faster than the seed loop (goal ≥ 3×), ` +
        `${(pipMs / floorMs).toFixed(2)}× the floor (goal ≤ 1.10×); ` +
        `wrknv (uv) is ${(uvMs / floorMs).toFixed(2)}× the floor (goal ≤ 0.5×)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
