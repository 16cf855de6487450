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
}

/** The files of a setuptools project. */
export function packageFiles(spec: PackageSpec): Record<string, string> {
  const module = spec.module ?? spec.name.replace(/-/g, "_");
  const q = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  let toml =
    `[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n\n` +
    `[project]\nname = ${JSON.stringify(spec.name)}\nversion = "0.1.0"\ndependencies = [${
      q(spec.deps ?? [])
    }]\n`;
  if (spec.requiresPython) toml += `requires-python = ${JSON.stringify(spec.requiresPython)}\n`;
  if (spec.extras) {
    toml += "\n[project.optional-dependencies]\n";
    for (const [k, v] of Object.entries(spec.extras)) toml += `${k} = [${q(v)}]\n`;
  }
  const layout = spec.layout ?? "src";
  const dir = layout === "src" ? `src/${module.replace(/\./g, "/")}` : module.replace(/\./g, "/");
  if (layout === "src") toml += `\n[tool.setuptools.packages.find]\nwhere = ["src"]\n`;
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
