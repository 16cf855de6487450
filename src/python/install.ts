/**
 * Installing into the shared venv with pip or uv, and reading what is
 * installed there.
 *
 * @module
 */
import { dirname } from "node:path";
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

/**
 * The environment of an activated venv, given its python: its scripts
 * first on PATH and VIRTUAL_ENV set, as backends that run tools expect
 * (uv_build runs `uv-build` from PATH).
 */
export function activated(python: string): Record<string, string> {
  const bin = dirname(python);
  return { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, VIRTUAL_ENV: dirname(bin) };
}

/** Where packages come from. */
export interface IndexOptions {
  /** `--no-index`: only the find-links directories. */
  offline?: boolean;
  /** `--find-links` directories. */
  findLinks?: string[];
  /** Cancels the install. */
  signal?: AbortSignal;
  /** A constraints file (`-c`): how siblings' names are pinned to their clones. */
  constraints?: string;
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
  if (options.constraints) args.push("-c", options.constraints);
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

/** Install plain requirements (build backends, external dependencies) into the venv. */
export async function installRequirements(
  installer: Installer,
  requirements: string[],
  options: IndexOptions & { dryRun?: boolean },
): Promise<InstallRun> {
  const args = options.dryRun ? ["--dry-run", ...requirements] : requirements;
  const r = await run(installCommand(installer, args, options), {
    signal: options.signal,
    env: { ...activated(installer.python), PIP_DEFAULT_TIMEOUT: options.offline ? "5" : undefined },
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
  if (installer.kind === "pip") args.push("--no-warn-script-location");
  if (options.noDeps) args.push("--no-deps");
  for (const t of targets) {
    args.push("-e", t.extras.length ? `${t.path}[${t.extras.join(",")}]` : t.path);
  }
  const r = await run(installCommand(installer, args, options), {
    signal: options.signal,
    env: activated(installer.python),
  });
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

/**
 * Which of `requirements` cannot be installed, each tried alone with its
 * dependencies (a dry run, a few at a time): by requirement, the installer's
 * reason. One run finds every missing requirement, where one install run
 * stops at the first.
 */
export async function unavailable(
  installer: Installer,
  requirements: readonly string[],
  options: IndexOptions,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const limit = Math.max(2, navigator.hardwareConcurrency || 1);
  const todo = [...requirements];
  const worker = async () => {
    for (let req = todo.shift(); req !== undefined; req = todo.shift()) {
      if (options.signal?.aborted) return;
      const r = await installRequirements(installer, [req], { ...options, dryRun: true });
      if (!r.ok) out.set(req, failureExcerpt(r.output));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
  return out;
}

/**
 * The telling part of a failed installer run: the last lines a build
 * backend printed (pip's "[N lines of output]" block, uv's "[stderr]"), or
 * else the installer's last error line.
 */
export function failureExcerpt(output: string, lines = 3): string {
  const all = output.split("\n");
  const start = all.findLastIndex((l) => /╰─> \[\d+ lines? of output\]|^\s*\[stderr\]\s*$/.test(l));
  if (start >= 0) {
    const block: string[] = [];
    for (const l of all.slice(start + 1)) {
      const t = l.trim();
      if (/^\[end of output\]$/.test(t) || /^(note|hint|error):/.test(t) && block.length) break;
      if (/^\S/.test(l) && block.length) break;
      if (t !== "") block.push(t);
    }
    const told = block.filter((l) => !/^(running|writing|reading|creating|copying) /.test(l));
    const pick = (told.length ? told : block).slice(-lines);
    if (pick.length) return pick.join(" | ");
  }
  const text = all.map((l) => l.trim()).filter((l) => l !== "");
  const at = text.findLastIndex((l) =>
    /^(ERROR|error):/.test(l) && !/subprocess-exited-with-error/.test(l)
  );
  const err = at < 0 ? undefined : text[at];
  // uv gives the reason on the lines after: "  cause: Because ...".
  const causes = at < 0 ? [] : text.slice(at + 1).filter((l) => /^(cause|Caused by):/.test(l));
  if (err && causes.length) {
    return `${err.replace(/^(ERROR|error):\s*/, "")}: ${
      causes.at(-1)!.replace(/^(cause|Caused by):\s*/, "")
    }`;
  }
  return (err ?? text.at(-1) ?? "installer failed").replace(/^(ERROR|error):\s*/, "");
}
