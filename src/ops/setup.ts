/**
 * `wrknv setup`: one shared venv, every installable sibling installed
 * editable, in dependency order, in one installer run.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { WrknvError } from "../errors.ts";
import type { Sibling, Workspace } from "../config/types.ts";
import { which } from "../proc/mod.ts";
import { run } from "../proc/mod.ts";
import {
  evaluateMarker,
  formatRequirement,
  normalizeName,
  type Pyproject,
  readPyproject,
} from "../python/pep.ts";
import { ensureVenv, venvPython } from "../python/venv.ts";
import {
  blameTarget,
  type EditableTarget,
  inspectEnvironment,
  installEditables,
  type Installer,
  installRequirements,
} from "../python/install.ts";
import { buildGraph, layerViolations, topoLayers } from "../graph/mod.ts";
import type { Reporter } from "./reporter.ts";
import { type Selection, selectSiblings } from "./select.ts";
import { acquireRunLock } from "./run_lock.ts";
import { userStateFile } from "../config/user_state.ts";
import { fileSha256, isTrusted } from "./trust.ts";
import { isDir, readText } from "../fs.ts";
import { checkpoint } from "../checkpoint.ts";

/** One sibling's outcome. */
export interface SetupSibling {
  /** Sibling name. */
  name: string;
  /** installed, up-to-date, skipped (not installable), missing (not cloned), failed, blocked (a dependency failed). */
  status: "installed" | "up-to-date" | "skipped" | "missing" | "failed" | "blocked";
  /** Extras installed with it. */
  extras: string[];
  /** A note (extras it lacks, why it was skipped). */
  note?: string;
  /** Why it failed. */
  error?: string;
}

/** The result of setup. */
export interface SetupResult {
  /** Nothing failed. */
  ok: boolean;
  /** Absolute venv path. */
  venv: string;
  /** The venv's Python version. */
  python: string;
  /** "uv" or "pip". */
  installer: "uv" | "pip";
  /** Install order: names by layer. */
  order: string[][];
  /** Per sibling, in file order. */
  siblings: SetupSibling[];
  /** Dependencies from a lower layer on a higher one. */
  layerViolations: { from: string; to: string; fromLayer: string; toLayer: string }[];
  /** Hooks: ran, skipped (untrusted or --no-hooks), or none. */
  hooks: "ran" | "skipped-untrusted" | "skipped" | "none";
  /** The venv was made by this run. */
  createdVenv: boolean;
}

/** Setup options (the CLI flags). */
export interface SetupOptions {
  /** Which siblings. */
  selection?: Selection;
  /** `--no-index`. */
  offline?: boolean;
  /** `--find-links` directories. */
  findLinks?: string[];
  /** Remove and make the venv again. */
  recreate?: boolean;
  /** Skip hooks. */
  noHooks?: boolean;
  /** Reinstall even when up to date. */
  force?: boolean;
  /** Cancels the run. */
  signal?: AbortSignal;
}

/** Where Debian's python3-wheel-whl puts setuptools and wheel wheels. */
export const SYSTEM_WHEELS = "/usr/share/python-wheels";

interface Planned {
  sibling: Sibling;
  pyproject: Pyproject | null;
  hasSetupPy: boolean;
}

/**
 * Where setup remembers what it last installed: in the user's state
 * directory, keyed by the workspace, not in `.wrknv/` (a stamp, or a
 * symbolic link in its place, committed there would be believed or written
 * through).
 */
async function setupStampFile(ws: Workspace): Promise<string> {
  const file = await userStateFile("setup", ws.configPath);
  await Deno.mkdir(dirname(file), { recursive: true });
  return file;
}

/** Decide uv or pip from the setting and PATH. */
export async function chooseInstaller(
  setting: Workspace["python"]["installer"],
): Promise<string | null> {
  if (setting === "pip") return null;
  const uv = await which("uv");
  if (setting === "uv" && !uv) {
    throw new WrknvError('workspace.python.installer is "uv" but uv is not on PATH', {
      hint: 'install uv (https://docs.astral.sh/uv/), or set installer = "auto"',
    });
  }
  return uv;
}

async function runHooks(
  ws: Workspace,
  commands: string[],
  venv: string,
  reporter: Reporter,
  signal?: AbortSignal,
) {
  for (const command of commands) {
    reporter.info(`hook: ${command}`);
    const r = await run(["sh", "-c", command], {
      cwd: ws.configDir,
      env: {
        VIRTUAL_ENV: venv,
        PATH: `${join(venv, "bin")}:${Deno.env.get("PATH") ?? ""}`,
        WRKNV_WORKSPACE: ws.configDir,
      },
      signal,
    });
    if (r.code !== 0) {
      throw new WrknvError(
        `hook failed (exit ${r.code}): ${command}\n${(r.stderr || r.stdout).trimEnd()}`,
      );
    }
  }
}

async function fingerprint(
  python: string,
  targets: EditableTarget[],
  planned: Planned[],
): Promise<string> {
  const parts = [python, JSON.stringify(targets)];
  for (const p of planned) {
    for (const f of ["pyproject.toml", "setup.py", "setup.cfg"]) {
      try {
        parts.push(f, await fileSha256(join(p.sibling.path, f)));
      } catch {
        parts.push(f, "-");
      }
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Make or reuse the venv and install every selected installable sibling.
 *
 * @throws {ConfigError} for a dependency cycle (before anything is installed)
 */
export async function setup(
  ws: Workspace,
  options: SetupOptions,
  reporter: Reporter,
): Promise<SetupResult> {
  const selected = selectSiblings(ws, options.selection);
  const outcomes = new Map<string, SetupSibling>();
  const planned: Planned[] = [];
  const byName = new Map(ws.siblings.map((s) => [s.name, s]));

  // 1. What is installable, and what each declares.
  await Promise.all(selected.map(async (sibling) => {
    if (!sibling.install) {
      outcomes.set(sibling.name, {
        name: sibling.name,
        status: "skipped",
        extras: [],
        note: "install = false",
      });
      return;
    }
    if (!(await isDir(sibling.path))) {
      outcomes.set(sibling.name, {
        name: sibling.name,
        status: "missing",
        extras: [],
        error: "not cloned (run `wrknv bootstrap`)",
      });
      return;
    }
    const text = await readText(join(sibling.path, "pyproject.toml"));
    const hasSetupPy = (await readText(join(sibling.path, "setup.py"))) !== null;
    if (text === null && !hasSetupPy) {
      outcomes.set(sibling.name, {
        name: sibling.name,
        status: "skipped",
        extras: [],
        note: "no pyproject.toml or setup.py: not a Python package",
      });
      return;
    }
    let pyproject: Pyproject | null = null;
    if (text !== null) {
      try {
        pyproject = readPyproject(text, { extras: ws.python.extras });
      } catch (error) {
        outcomes.set(sibling.name, {
          name: sibling.name,
          status: "failed",
          extras: [],
          error: `pyproject.toml: ${(error as Error).message}`,
        });
        return;
      }
    }
    planned.push({ sibling, pyproject, hasSetupPy });
  }));
  planned.sort((a, b) => a.sibling.index - b.sibling.index);

  // 2. The order. A cycle is a ConfigError: nothing is installed.
  const graph = buildGraph(
    planned.map((p) => ({
      name: p.sibling.name,
      index: p.sibling.index,
      layer: p.sibling.layer,
      dependsOn: p.sibling.dependsOn.filter((d) => planned.some((q) => q.sibling.name === d)),
    })),
    planned.map((p) => p.pyproject),
  );
  const order = topoLayers(graph.nodes);
  const violations = layerViolations(graph.nodes, ws.layers);
  for (const v of violations) {
    reporter.warn(
      `${v.from} (layer ${v.fromLayer}) depends on ${v.to} (layer ${v.toLayer}), a higher layer`,
    );
  }

  // From here on the workspace changes: one wrknv at a time.
  await using _lock = await acquireRunLock(ws, "setup");

  // 3. The venv.
  const uv = await chooseInstaller(ws.python.installer);
  const venvReady = await ensureVenv(ws.python.venv, {
    spec: ws.python.version,
    useUv: uv,
    recreate: options.recreate,
    signal: options.signal,
  });
  const installer: Installer = {
    kind: uv ? "uv" : "pip",
    uv: uv ?? undefined,
    python: venvPython(ws.python.venv),
  };
  const findLinks = [...(options.findLinks ?? [])];
  const index = { offline: options.offline, findLinks, signal: options.signal };

  // 4. Hooks before.
  let hooks: SetupResult["hooks"] = ws.hooks.preInstall.length + ws.hooks.postInstall.length
    ? "ran"
    : "none";
  if (hooks === "ran") {
    if (options.noHooks) hooks = "skipped";
    else if (!(await isTrusted(ws))) {
      hooks = "skipped-untrusted";
      reporter.warn(
        "hooks skipped: this workspace is not trusted (review wrknv.toml, then run `wrknv trust`)",
      );
    }
  }
  if (hooks === "ran") {
    await runHooks(ws, ws.hooks.preInstall, ws.python.venv, reporter, options.signal);
  }

  await checkpoint("install");
  // 5. Build backends, into the venv (installs run without build isolation).
  const flat = order.flat();
  const plannedByName = new Map(planned.map((p) => [p.sibling.name, p]));
  const targets: (EditableTarget & { project?: string | null })[] = flat.map((name) => {
    const p = plannedByName.get(name)!;
    return {
      name,
      path: p.sibling.path,
      extras: p.pyproject?.extrasUsed ?? [],
      project: p.pyproject?.name,
    };
  });
  const buildRequires = [
    ...new Set(
      planned.flatMap((p) => p.pyproject?.buildRequires ?? ["setuptools>=40.8.0", "wheel"]),
    ),
  ];
  const stamp = await setupStampFile(ws);
  const print = await fingerprint(
    `${venvReady.python.path} ${venvReady.python.version}`,
    targets,
    planned,
  );
  const env = await inspectEnvironment(installer.python, buildRequires);
  let upToDate = !options.force && !venvReady.created && (await readText(stamp))?.trim() === print;
  if (upToDate) {
    for (const t of targets) {
      const p = plannedByName.get(t.name)!;
      const d = p.pyproject?.name ? env.dists.get(normalizeName(p.pyproject.name)) : undefined;
      if (!d || !d.editable || d.source !== t.path) upToDate = false;
    }
  }

  if (upToDate) {
    for (const t of targets) {
      outcomes.set(t.name, { name: t.name, status: "up-to-date", extras: t.extras });
    }
  } else {
    if (env.unsatisfied.length) {
      reporter.info(`installing build backends: ${env.unsatisfied.join(", ")}`);
      const links = [...findLinks];
      if (options.offline && await isDir(SYSTEM_WHEELS)) links.push(SYSTEM_WHEELS);
      const r = await installRequirements(installer, env.unsatisfied, {
        ...index,
        findLinks: links,
      });
      if (!r.ok) {
        throw new WrknvError(
          `could not install the build backends (${env.unsatisfied.join(", ")}): ${
            lastError(r.output)
          }`,
          {
            hint: options.offline
              ? "add a wheel directory with --find-links"
              : "check the network, or pass --offline --find-links DIR",
          },
        );
      }
    }
    // 6. Install. One installer run for a set; when it fails, name the sibling
    // that broke it, and install the rest without it and its dependants.
    const installSet = async (set: typeof targets, noDeps: boolean) => {
      let remaining = set;
      for (let round = 0; remaining.length && round < set.length; round++) {
        for (const t of remaining) reporter.start(t.name, "installing");
        const r = await installEditables(installer, remaining, { ...index, noDeps });
        if (r.ok) {
          for (const t of remaining) {
            outcomes.set(t.name, { name: t.name, status: "installed", extras: t.extras });
            reporter.done(t.name, "installed");
          }
          return;
        }
        if (options.signal?.aborted) return;
        const culprit = blameTarget(r.output, remaining) ??
          (remaining.length === 1 ? remaining[0] : await findCulprit(installer, remaining, index));
        if (!culprit) {
          for (const t of remaining) {
            outcomes.set(t.name, {
              name: t.name,
              status: "failed",
              extras: t.extras,
              error: lastError(r.output),
            });
            reporter.done(t.name, "failed");
          }
          return;
        }
        outcomes.set(culprit.name, {
          name: culprit.name,
          status: "failed",
          extras: culprit.extras,
          error: lastError(r.output),
        });
        reporter.done(culprit.name, "failed", lastError(r.output));
        const blocked = dependantsOf(culprit.name, graph.nodes);
        for (const name of blocked) {
          const t = remaining.find((x) => x.name === name);
          if (t) {
            outcomes.set(name, {
              name,
              status: "blocked",
              extras: t.extras,
              error: `depends on ${culprit.name}, which failed`,
            });
            reporter.done(name, "blocked");
          }
        }
        remaining = remaining.filter((t) => t.name !== culprit.name && !blocked.has(t.name));
      }
    };
    // pip builds one editable at a time, so the builds run in parallel: one pip
    // per core, each with --no-deps (siblings need not be built in order without
    // build isolation), then one pip run installs the external dependencies.
    // uv builds in parallel itself: one run. A sibling without pyproject.toml
    // metadata (setup.py only) hides its dependencies: then one run as well.
    const cores = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));
    const parallel = installer.kind === "pip" && cores > 1 && targets.length > 1 &&
      planned.every((p) => p.pyproject?.name);
    if (!parallel) await installSet(targets, false);
    else {
      const chunks: (typeof targets)[] = Array.from(
        { length: Math.min(cores, targets.length) },
        () => [],
      );
      targets.forEach((t, i) => chunks[i % chunks.length].push(t));
      await Promise.all(chunks.map((c) => installSet(c, true)));
      const env = {
        python_version: venvReady.python.version.split(".").slice(0, 2).join("."),
        python_full_version: venvReady.python.version,
      };
      const projects = new Set(planned.map((p) => p.pyproject?.normalized));
      const externalsOf = (p: Planned) =>
        [...p.pyproject!.dependencies, ...p.pyproject!.optional]
          .filter((r) => !projects.has(r.normalized) && (!r.marker || safeMarker(r.marker, env)))
          .map(formatRequirement);
      const externals = [...new Set(planned.flatMap(externalsOf))];
      if (externals.length && !options.signal?.aborted) {
        reporter.info(
          `installing ${externals.length} external ${
            externals.length === 1 ? "dependency" : "dependencies"
          }`,
        );
        const r = await installRequirements(installer, externals, index);
        if (!r.ok) {
          const error = `external dependencies: ${lastError(r.output)}`;
          for (const p of planned) {
            const needs = externalsOf(p).length > 0;
            const o = outcomes.get(p.sibling.name);
            if (needs && o?.status === "installed") {
              outcomes.set(p.sibling.name, { ...o, status: "failed", error });
            }
          }
        }
      }
      // Whatever depends on a failure is blocked, even if its own build worked.
      const failedNames = targets.filter((t) => outcomes.get(t.name)?.status !== "installed").map((
        t,
      ) => t.name);
      for (const f of failedNames) {
        for (const name of dependantsOf(f, graph.nodes)) {
          const o = outcomes.get(name);
          if (o && o.status === "installed") {
            outcomes.set(name, { ...o, status: "blocked", error: `depends on ${f}, which failed` });
          }
        }
      }
    }
    const allOk = targets.every((t) => outcomes.get(t.name)?.status === "installed");
    if (allOk) await Deno.writeTextFile(stamp, print + "\n");
    else await Deno.remove(stamp).catch(() => {});
    await checkpoint("installed");
  }

  // Notes on extras a sibling lacks.
  for (const p of planned) {
    const o = outcomes.get(p.sibling.name);
    if (o && p.pyproject?.extrasMissing.length) {
      o.note = `has no extra ${
        p.pyproject.extrasMissing.map((e) => `"${e}"`).join(", ")
      }; installed without it`;
    }
  }

  if (hooks === "ran") {
    await runHooks(ws, ws.hooks.postInstall, ws.python.venv, reporter, options.signal);
  }

  const list = selected.map((s) =>
    outcomes.get(s.name) ??
      { name: s.name, status: "failed" as const, extras: [], error: "interrupted" }
  );
  void byName;
  return {
    ok: list.every((o) =>
      o.status !== "failed" && o.status !== "blocked" && o.status !== "missing"
    ),
    venv: ws.python.venv,
    python: venvReady.python.version,
    installer: installer.kind,
    order,
    siblings: list,
    layerViolations: violations,
    hooks,
    createdVenv: venvReady.created,
  };
}

function safeMarker(marker: string, env: Record<string, string>): boolean {
  try {
    return evaluateMarker(marker, env);
  } catch {
    return true;
  }
}

function dependantsOf(
  name: string,
  nodes: readonly { name: string; deps: readonly { name: string }[] }[],
): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (out.has(n.name)) continue;
      if (n.deps.some((d) => d.name === name || out.has(d.name))) {
        out.add(n.name);
        grew = true;
      }
    }
  }
  return out;
}

async function findCulprit(
  installer: Installer,
  targets: readonly EditableTarget[],
  index: { offline?: boolean; findLinks?: string[]; signal?: AbortSignal },
): Promise<EditableTarget | undefined> {
  // The output did not say: try each alone (no dependencies) in order.
  for (const t of targets) {
    const r = await installEditables(installer, [t], { ...index, noDeps: true });
    if (!r.ok) return t;
  }
  return undefined;
}

/** The most telling line of a failed installer run. */
export function lastError(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const err = [...lines].reverse().find((l) =>
    /^(ERROR|error):/.test(l) && !/subprocess-exited-with-error/.test(l)
  );
  return (err ?? lines[lines.length - 1] ?? "installer failed").replace(/^(ERROR|error):\s*/, "");
}
