/**
 * Installing into the shared venv with pip or uv, and reading what is
 * installed there.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { WrknvError } from "../errors.ts";
import { run } from "../proc/mod.ts";
import { normalizeName } from "./pep.ts";
import { lastLine } from "./venv.ts";

/** Which tool installs. */
export interface Installer {
  /** "uv" or "pip". */
  kind: "uv" | "pip";
  /** The uv executable, for kind "uv". */
  uv?: string;
  /** The venv's python. */
  python: string;
}

/** Where packages come from. */
export interface IndexOptions {
  /** `--no-index`: only the find-links directories. */
  offline?: boolean;
  /** `--find-links` directories. */
  findLinks?: string[];
  /** Cancels the install. */
  signal?: AbortSignal;
}

/** An installed distribution, as the venv reports it. */
export interface InstalledDist {
  /** Name as in its metadata. */
  name: string;
  /** Version. */
  version: string;
  /** True when installed editable (PEP 610 direct_url.json). */
  editable: boolean;
  /** The local directory it was installed from (file:// URL made a path), when any. */
  source?: string;
}

/** What the venv holds. */
export interface EnvironmentReport {
  /** By PEP 503 normalized name. */
  dists: Map<string, InstalledDist>;
  /** The requirements asked about that are not satisfied. */
  unsatisfied: string[];
}

// One Python process: list distributions with their direct_url.json, and check
// requirement strings with the packaging library that pip vendors (when there is
// no pip, every requirement is reported unsatisfied unless simply present).
const INSPECT = String.raw`
import json, sys
from importlib import metadata
reqs = json.loads(sys.stdin.read() or "[]")
dists = {}
for d in metadata.distributions():
    name = d.metadata["Name"]
    if not name:
        continue
    info = {"name": name, "version": d.version, "editable": False, "url": None}
    try:
        text = d.read_text("direct_url.json")
        if text:
            du = json.loads(text)
            info["url"] = du.get("url")
            info["editable"] = bool(du.get("dir_info", {}).get("editable"))
    except Exception:
        pass
    dists.setdefault(name, info)
unsatisfied = []
try:
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    by = {canonicalize_name(k): v for k, v in dists.items()}
    for r in reqs:
        req = Requirement(r)
        if req.marker is not None and not req.marker.evaluate():
            continue
        d = by.get(canonicalize_name(req.name))
        if d is None or not req.specifier.contains(d["version"], prereleases=True):
            unsatisfied.append(r)
except ImportError:
    import re
    names = {re.sub(r"[-_.]+", "-", k).lower() for k in dists}
    for r in reqs:
        n = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", r)
        if not n or re.sub(r"[-_.]+", "-", n.group(1)).lower() not in names:
            unsatisfied.append(r)
print(json.dumps({"dists": list(dists.values()), "unsatisfied": unsatisfied}))
`;

/** Ask the venv what it holds, and which of `requirements` it does not satisfy. */
export async function inspectEnvironment(
  python: string,
  requirements: string[] = [],
): Promise<EnvironmentReport> {
  const r = await run([python, "-I", "-c", INSPECT], {
    stdin: { data: JSON.stringify(requirements) },
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new WrknvError(`could not inspect the venv: ${lastLine(r.stderr)}`);
  const doc = JSON.parse(r.stdout) as {
    dists: { name: string; version: string; editable: boolean; url: string | null }[];
    unsatisfied: string[];
  };
  const dists = new Map<string, InstalledDist>();
  for (const d of doc.dists) {
    let source: string | undefined;
    if (d.url?.startsWith("file://")) {
      try {
        source = fileURLToPath(d.url);
      } catch {
        source = undefined;
      }
    }
    dists.set(normalizeName(d.name), {
      name: d.name,
      version: d.version,
      editable: d.editable,
      source,
    });
  }
  return { dists, unsatisfied: doc.unsatisfied };
}

function indexArgs(options: IndexOptions): string[] {
  const args: string[] = [];
  if (options.offline) args.push("--no-index");
  for (const dir of options.findLinks ?? []) args.push("--find-links", dir);
  return args;
}

function installCommand(installer: Installer, args: string[], options: IndexOptions): string[] {
  if (installer.kind === "uv") {
    return [
      installer.uv!,
      "pip",
      "install",
      "--python",
      installer.python,
      ...indexArgs(options),
      ...args,
    ];
  }
  return [
    installer.python,
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--no-input",
    ...indexArgs(options),
    ...args,
  ];
}

/** The result of one installer run. */
export interface InstallRun {
  /** Exit code was 0. */
  ok: boolean;
  /** Everything the installer printed. */
  output: string;
  /** How long it took. */
  durationMs: number;
}

/** Install plain requirements (build backends) into the venv. */
export async function installRequirements(
  installer: Installer,
  requirements: string[],
  options: IndexOptions,
): Promise<InstallRun> {
  const r = await run(installCommand(installer, requirements, options), {
    signal: options.signal,
    env: { PIP_DEFAULT_TIMEOUT: options.offline ? "5" : undefined },
  });
  return { ok: r.code === 0, output: r.stdout + r.stderr, durationMs: r.durationMs };
}

/** One package to install editable. */
export interface EditableTarget {
  /** Sibling name. */
  name: string;
  /** Its directory. */
  path: string;
  /** Extras to install with it. */
  extras: string[];
}

/**
 * Install every target editable in one installer run: one resolver run for
 * the whole set, build isolation off (the build backends are installed into
 * the venv first), dependencies resolved from the index or the find-links.
 */
export async function installEditables(
  installer: Installer,
  targets: readonly EditableTarget[],
  options: IndexOptions & { noDeps?: boolean },
): Promise<InstallRun> {
  const args: string[] = ["--no-build-isolation"];
  if (options.noDeps) args.push("--no-deps");
  for (const t of targets) {
    args.push("-e", t.extras.length ? `${t.path}[${t.extras.join(",")}]` : t.path);
  }
  const r = await run(installCommand(installer, args, options), { signal: options.signal });
  return { ok: r.code === 0, output: r.stdout + r.stderr, durationMs: r.durationMs };
}

/**
 * From a failed installer run's output, the target that broke it: the one
 * named in "(from X)", else the last one pip was working on. Undefined when
 * the output does not say.
 */
export function blameTarget(
  output: string,
  targets: readonly (EditableTarget & { project?: string | null })[],
): EditableTarget | undefined {
  const byProject = new Map(
    targets.filter((t) => t.project).map((t) => [normalizeName(t.project!), t]),
  );
  const from = /\(from ([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(output);
  if (from && byProject.has(normalizeName(from[1]))) return byProject.get(normalizeName(from[1]));
  let last: EditableTarget | undefined;
  const lines = output.split("\n");
  for (const line of lines) {
    const m =
      /(?:Obtaining|Building editable for \S+ \(pyproject.toml\) .*?|Processing) (file:\/\/\S+|\/\S+)/
        .exec(line);
    if (m) {
      const path = m[1].startsWith("file://") ? decodeURIComponent(m[1].slice(7)) : m[1];
      const t = targets.find((t) => path.replace(/\/$/, "").replace(/\[.*\]$/, "") === t.path);
      if (t) last = t;
    }
    const b = /Building editable for (\S+) \(pyproject\.toml\)/.exec(line);
    if (b && byProject.has(normalizeName(b[1]))) last = byProject.get(normalizeName(b[1]));
    if (/^\s*(ERROR|error):|did not run successfully/.test(line)) return last;
  }
  return undefined;
}
