/**
 * Installing into the shared venv with pip or uv, and reading what is
 * installed there.
 *
 * @module
 */
import { run } from "../proc/mod.ts";
import { normalizeName } from "./pep.ts";
import { probeVenv } from "./probe.ts";
import { unsatisfiedRequirements } from "./requirements.ts";

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

/**
 * Ask the venv what it holds (one Python process, the probe validate
 * uses), and which of `requirements` it does not satisfy.
 */
export async function inspectEnvironment(
  python: string,
  requirements: string[] = [],
): Promise<EnvironmentReport> {
  const probe = await probeVenv(python, {}, { timeoutMs: 60_000 });
  const dists = new Map<string, InstalledDist>();
  for (const [key, d] of probe.dists) {
    dists.set(key, {
      name: d.name,
      version: d.version,
      editable: d.editable,
      ...(d.source !== undefined ? { source: d.source } : {}),
    });
  }
  return { dists, unsatisfied: unsatisfiedRequirements(requirements, dists, probe.env) };
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
