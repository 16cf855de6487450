/**
 * Small Python packages for tests, as git remotes.
 *
 * @module
 */
import { join } from "node:path";
import { makeRemote, type Remote } from "./git.ts";

/** A test package. */
export interface PackageSpec {
  /** Project name (also the sibling name unless `sibling` is set). */
  name: string;
  /** `dependencies`. */
  deps?: string[];
  /** `optional-dependencies`. */
  extras?: Record<string, string[]>;
  /** The import package; default: name with - made _. */
  module?: string;
  /** Code of `__init__.py`. */
  code?: string;
  /** src layout (default) or flat. */
  layout?: "src" | "flat";
  /** requires-python. */
  requiresPython?: string;
  /** Files to add or replace. */
  files?: Record<string, string>;
  /** The build backend (default setuptools, written as most projects write it: no `wheel`). */
  backend?: Backend;
}

/** The build backends test packages can use. */
export type Backend =
  | "setuptools"
  | "hatchling"
  | "flit-core"
  | "pdm-backend"
  | "poetry-core"
  | "uv-build"
  | "maturin";

/** `[build-system]` as each backend's documentation writes it. */
export const BUILD_SYSTEMS: Record<Backend, { requires: string[]; backend: string }> = {
  "setuptools": { requires: ["setuptools>=61"], backend: "setuptools.build_meta" },
  "hatchling": { requires: ["hatchling"], backend: "hatchling.build" },
  "flit-core": { requires: ["flit_core>=3.4,<4"], backend: "flit_core.buildapi" },
  "pdm-backend": { requires: ["pdm-backend"], backend: "pdm.backend" },
  "poetry-core": { requires: ["poetry-core>=2.0"], backend: "poetry.core.masonry.api" },
  "uv-build": { requires: ["uv_build>=0.7,<0.12"], backend: "uv_build" },
  "maturin": { requires: ["maturin>=1.0,<2.0"], backend: "maturin" },
};

/** Everything the test backends need, for a wheelhouse. */
export const BACKEND_REQUIREMENTS = [
  "pip",
  "setuptools>=61",
  "wheel",
  "hatchling",
  "editables",
  "flit_core>=3.4,<4",
  "pdm-backend",
  "poetry-core>=2.0",
  "uv_build>=0.7,<0.12",
];

/** The files of a setuptools project. */
export function packageFiles(spec: PackageSpec): Record<string, string> {
  const module = spec.module ?? spec.name.replace(/-/g, "_");
  const q = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  const backend = spec.backend ?? "setuptools";
  const build = BUILD_SYSTEMS[backend];
  let toml =
    `[build-system]\nrequires = [${q(build.requires)}]\nbuild-backend = "${build.backend}"\n\n` +
    `[project]\nname = ${JSON.stringify(spec.name)}\nversion = "0.1.0"\ndependencies = [${
      q(spec.deps ?? [])
    }]\n`;
  if (spec.requiresPython) toml += `requires-python = ${JSON.stringify(spec.requiresPython)}\n`;
  if (spec.extras) {
    toml += "\n[project.optional-dependencies]\n";
    for (const [k, v] of Object.entries(spec.extras)) toml += `${k} = [${q(v)}]\n`;
  }
  if (backend === "flit-core" || backend === "pdm-backend") {
    toml = toml.replace(
      'version = "0.1.0"\n',
      'version = "0.1.0"\ndescription = "A test package"\n',
    );
  }
  if (backend === "poetry-core" && module !== spec.name.replace(/-/g, "_")) {
    toml += `\n[tool.poetry]\npackages = [{ include = "${module}", from = "src" }]\n`;
  }
  if (backend === "uv-build") {
    toml += `\n[tool.uv.build-backend]\nmodule-name = "${module}"\n`;
  }
  if (backend === "hatchling") {
    toml += `\n[tool.hatch.build.targets.wheel]\npackages = ["src/${module}"]\n`;
  }
  const layout = spec.layout ?? "src";
  const dir = layout === "src" ? `src/${module.replace(/\./g, "/")}` : module.replace(/\./g, "/");
  if (layout === "src" && backend === "setuptools") {
    toml += `\n[tool.setuptools.packages.find]\nwhere = ["src"]\n`;
  }
  return {
    "pyproject.toml": toml,
    [`${dir}/__init__.py`]: spec.code ?? `NAME = ${JSON.stringify(spec.name)}\n`,
    ...spec.files,
  };
}

/** Make a bare remote holding a package. */
export function makePackageRemote(
  dir: string,
  spec: PackageSpec,
  sibling?: string,
): Promise<Remote> {
  return makeRemote(dir, sibling ?? spec.name, { files: packageFiles(spec) });
}

/** The wheel directory of Debian's python3-wheel-whl (setuptools, wheel). */
export const SYSTEM_WHEELS = "/usr/share/python-wheels";

/** Offline flags for setup and up in tests. */
export const OFFLINE = ["--offline", "--find-links", SYSTEM_WHEELS];

/** Run Python code with a venv's interpreter; returns stdout. */
export async function venvRun(
  venv: string,
  code: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(join(venv, "bin", "python"), {
    args: ["-c", code],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Environment for an offline run: no index, and no pip configuration of this machine. */
export const OFFLINE_ENV: Record<string, string> = {
  PIP_NO_INDEX: "1",
  PIP_CONFIG_FILE: "/dev/null",
  PIP_FIND_LINKS: SYSTEM_WHEELS,
  UV_OFFLINE: "1",
  UV_NO_CONFIG: "1",
};

/** True when `unshare -n` can make a network namespace here (so a run is really offline). */
export const CAN_UNSHARE = (() => {
  try {
    return new Deno.Command("unshare", { args: ["-n", "true"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * A directory of wheels for `requirements` (and their dependencies),
 * downloaded once (online) and kept for the other tests of this machine's
 * run, so that offline tests can install current build backends.
 */
export async function wheelhouse(requirements: readonly string[]): Promise<string> {
  const key = Array.from(
    new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        new TextEncoder().encode(JSON.stringify([...requirements].sort())),
      ),
    ),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("").slice(0, 16);
  const dir = join(Deno.env.get("TMPDIR") ?? "/tmp", `wrknv-test-wheelhouse-${key}`);
  try {
    await Deno.stat(join(dir, ".complete"));
    return dir;
  } catch {
    // not yet
  }
  const temp = await Deno.makeTempDir({ prefix: "wrknv-test-wheelhouse-tmp-" });
  const out = await new Deno.Command("python3", {
    args: [
      "-m",
      "pip",
      "download",
      "--quiet",
      "--disable-pip-version-check",
      "--only-binary",
      ":all:",
      "--dest",
      temp,
      ...requirements,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`pip download failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  await Deno.writeTextFile(join(temp, ".complete"), "");
  try {
    await Deno.rename(temp, dir);
  } catch {
    // another test made it first
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
  return dir;
}

/** Write a minimal pure-Python wheel for `name` into `dir` (no index needed). */
export async function makeWheel(
  dir: string,
  name: string,
  version: string,
  options: { requires?: string[]; code?: string } = {},
): Promise<string> {
  const script = `
import base64, hashlib, sys, zipfile
import json
d, name, version, requires, code = sys.argv[1:6]
import re
reqs = json.loads(requires)
extras = sorted({m for r in reqs for m in re.findall(r"extra == .([A-Za-z0-9][A-Za-z0-9._-]*)", r)})
deps = "".join(f"Provides-Extra: {e}\\n" for e in extras) + "".join(f"Requires-Dist: {r}\\n" for r in reqs)
mod = name.replace("-", "_")
files = {
  f"{mod}/__init__.py": code or f"VERSION = '{version}'\\n",
  f"{mod}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n{deps}",
  f"{mod}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = ""
with zipfile.ZipFile(f"{d}/{mod}-{version}-py3-none-any.whl", "w") as z:
    for path, text in files.items():
        data = text.encode()
        z.writestr(path, data)
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={h},{len(data)}\\n"
    record += f"{mod}-{version}.dist-info/RECORD,,\\n"
    z.writestr(f"{mod}-{version}.dist-info/RECORD", record)
`;
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      script,
      dir,
      name,
      version,
      JSON.stringify(options.requires ?? []),
      options.code ?? "",
    ],
  })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return join(dir, `${name.replace(/-/g, "_")}-${version}-py3-none-any.whl`);
}
