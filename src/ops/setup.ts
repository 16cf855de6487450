/**
 * `wrknv setup`: one shared venv, every installable sibling installed
 * editable, as a PEP 517/660 frontend building without isolation does it:
 *
 * 1. read every sibling's metadata (any layout: `src/python/metadata.ts`);
 *    what is not a Python package is skipped, a missing clone blocks what
 *    needs it, a sibling whose `requires-python` the venv cannot meet fails
 *    alone;
 * 2. install the union of `build-system.requires`, then ask each backend
 *    `get_requires_for_build_editable` and install the union of the answers
 *    (and, for `setup.py` or dynamic dependencies,
 *    `prepare_metadata_for_build_editable`, cached by file hash);
 * 3. build the editables without their dependencies (pip: one process per
 *    core; uv: one run);
 * 4. install the external dependencies in one run, siblings pinned to their
 *    clones by a constraints file so that no sibling's name is ever looked
 *    up on an index.
 *
 * Every sibling ends installed, failed (its own error and a log under
 * `.wrknv/logs/`), blocked (by the sibling or requirement named) or skipped.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { WrknvError } from "../errors.ts";
import type { Sibling, Workspace } from "../config/types.ts";
import { run, which } from "../proc/mod.ts";
import * as git from "../git/mod.ts";
import {
  evaluateMarker,
  formatRequirement,
  type MarkerEnv,
  type Requirement,
} from "../python/pep.ts";
import {
  metadataFromCore,
  type ProjectFiles,
  type ProjectMetadata,
  unmetPython,
} from "../python/metadata.ts";
import {
  distributionOwners,
  metadataKey,
  readMetadataCache,
  readSiblingProjects,
  writeMetadataCache,
} from "./projects.ts";
import { callHooks, type HookJob } from "../python/backend.ts";
import {
  ensureVenv,
  type Interpreter,
  interpreterStamp,
  sitePackagesStamp,
  venvPython,
} from "../python/venv.ts";
import {
  blameTarget,
  type EditableTarget,
  failureExcerpt,
  inspectEnvironment,
  installEditables,
  type Installer,
  installRequirements,
  unavailable,
} from "../python/install.ts";
import { buildGraph, layerViolations, topoLayers } from "../graph/mod.ts";
import type { Reporter } from "./reporter.ts";
import { type Selection, selectSiblings } from "./select.ts";
import { acquireRunLock, ensureStateDir } from "./run_lock.ts";
import { userStateFile } from "../config/user_state.ts";
import { checkpoint } from "../checkpoint.ts";
import { fileSha256, isTrusted } from "./trust.ts";
import { isDir, readText } from "../fs.ts";

/** One sibling's outcome. */
export interface SetupSibling {
  /** Sibling name. */
  name: string;
  /**
   * installed, up-to-date, skipped (not to be installed: why in `note`),
   * missing (not cloned), failed (its own error), blocked (waits on what
   * `error` names).
   */
  status: "installed" | "up-to-date" | "skipped" | "missing" | "failed" | "blocked";
  /** Extras installed with it. */
  extras: string[];
  /** A note (extras it lacks, why it was skipped, a warning). */
  note?: string;
  /** Why it failed or is blocked. */
  error?: string;
  /** The full log of what failed, under `.wrknv/logs/`. */
  log?: string;
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
  /** Requirements that could not be installed, each with the siblings that want it. */
  unavailable: { requirement: string; reason: string; wantedBy: string[] }[];
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

/** A sibling that will be installed. */
interface Planned {
  sibling: Sibling;
  files: ProjectFiles;
  meta: ProjectMetadata;
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

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function filesKey(files: ProjectFiles): string {
  return JSON.stringify([files.pyproject, files.setupCfg, files.setupPy]);
}

/**
 * What setup remembers of its last complete run: the fingerprint of what it
 * installed (interpreter, installer, targets, every sibling's packaging
 * files), the venv's interpreter as it answered then with its stamp, and
 * the stamp of site-packages once everything was in place. While all of
 * them hold, a setup with nothing to do starts no Python process at all.
 */
interface SetupStamp {
  print: string;
  python?: Interpreter;
  interpreter?: string;
  site?: string;
}

function parseStamp(text: string | null): SetupStamp | null {
  if (text === null) return null;
  try {
    const doc = JSON.parse(text);
    if (typeof doc?.print !== "string") return null;
    const python = doc.python;
    const okPython = typeof python?.path === "string" && typeof python?.version === "string" &&
      typeof python?.source === "string";
    return {
      print: doc.print,
      ...(okPython && typeof doc.interpreter === "string"
        ? { python: { path: python.path, version: python.version, source: python.source } }
        : {}),
      ...(typeof doc.interpreter === "string" ? { interpreter: doc.interpreter } : {}),
      ...(typeof doc.site === "string" ? { site: doc.site } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * The fingerprint of what setup installs. The installer counts by kind, not by
 * where it was found: one uv is found through a shim on one PATH and as itself
 * on another (`pyenv exec` puts the interpreter's bin first), and either
 * installs the same.
 */
async function fingerprint(
  python: string,
  installer: string,
  targets: EditableTarget[],
  planned: Planned[],
) {
  const parts = [python, installer, JSON.stringify(targets)];
  for (const p of planned) {
    parts.push(filesKey(p.files));
    for (const f of ["pyproject.toml", "setup.py", "setup.cfg"]) {
      parts.push(await fileSha256(join(p.sibling.path, f)).catch(() => "-"));
    }
  }
  return await sha256(parts.join("\0"));
}

/** Per-sibling logs under `.wrknv/logs/`, each begun afresh by a run. */
class Logs {
  readonly dir: string;
  #begun = new Set<string>();
  constructor(dir: string) {
    this.dir = dir;
  }
  path(name: string): string {
    return join(this.dir, `${name.replace(/[^A-Za-z0-9._-]/g, "_")}.log`);
  }
  /**
   * The log path, made afresh the first time this run touches it: the old
   * log (or whatever link stands in its place) is removed, never written
   * through, and the new one is created exclusively.
   */
  async begin(name: string): Promise<string> {
    const path = this.path(name);
    if (!this.#begun.has(name)) {
      this.#begun.add(name);
      await Deno.remove(path).catch(() => {});
      await Deno.writeTextFile(path, "", { createNew: true });
    }
    return path;
  }
  async write(name: string, title: string, text: string): Promise<string> {
    const path = await this.begin(name);
    await Deno.writeTextFile(path, `== ${title}\n${text.trimEnd()}\n`, { append: true });
    return path;
  }
}

/** The marker environment of an interpreter version. */
function markerEnv(version: string): MarkerEnv {
  return {
    python_version: version.split(".").slice(0, 2).join("."),
    python_full_version: version,
  };
}

function applies(r: Requirement, env: MarkerEnv): boolean {
  if (!r.marker) return true;
  try {
    return evaluateMarker(r.marker, env);
  } catch {
    return true;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Make or reuse the venv and install every selected installable sibling.
 *
 * @throws {ConfigError} for a dependency cycle or two siblings with one
 *   distribution name (before anything is installed)
 */
export async function setup(
  ws: Workspace,
  options: SetupOptions,
  reporter: Reporter,
): Promise<SetupResult> {
  const selected = selectSiblings(ws, options.selection);
  const selectedNames = new Set(selected.map((s) => s.name));
  const outcomes = new Map<string, SetupSibling>();
  const set = (o: SetupSibling) => outcomes.set(o.name, o);
  const signal = options.signal;

  // 1. What each sibling is, and what it declares. Every sibling is read, the
  // unselected ones too: their names must never be looked up on an index.
  const loaded = await readSiblingProjects(ws, ws.siblings, { python: "-" });
  /** Distribution name (normalized) -> sibling. */
  const distOf = distributionOwners(loaded);
  const planned: Planned[] = [];
  const missing = new Set<string>();
  for (const { sibling, project } of loaded) {
    if (!selectedNames.has(sibling.name)) {
      if (project?.kind === "absent") missing.add(sibling.name);
      continue;
    }
    const base = { name: sibling.name, extras: [] };
    if (!sibling.install || project === null) {
      set({ ...base, status: "skipped", note: "install = false" });
    } else if (project.kind === "absent") {
      missing.add(sibling.name);
      set({
        ...base,
        status: "missing",
        error: `not cloned: run wrknv bootstrap --only ${sibling.name}`,
      });
    } else if (project.kind === "not-python") {
      set({
        ...base,
        status: "skipped",
        note: "not a Python package (set install = false to silence)",
      });
    } else if (project.kind === "error") {
      set({ ...base, status: "failed", error: `${project.file}: ${project.message}` });
    } else planned.push({ sibling, files: project.files, meta: project.metadata });
  }

  // The backend metadata this workspace already has (setup.py and dynamic
  // dependencies), so the order is known before anything is built.
  const stateDir = await ensureStateDir(ws);
  const cache = await readMetadataCache(ws);
  const cachedMeta = async (p: Planned, python: string) => {
    const hit = cache.entries[p.sibling.name];
    if (!hit || hit.key !== await metadataKey(p.files, python)) return null;
    return metadataFromCore(p.meta, hit.metadata, { extras: ws.python.extras });
  };

  // 2. The order. A cycle is a ConfigError: nothing is installed.
  const graphOf = (list: Planned[]) =>
    buildGraph(
      list.map((p) => ({
        name: p.sibling.name,
        index: p.sibling.index,
        layer: p.sibling.layer,
        dependsOn: p.sibling.dependsOn.filter((d) => list.some((q) => q.sibling.name === d)),
      })),
      list.map((p) => p.meta),
    );
  let graph = graphOf(planned);
  let order = topoLayers(graph.nodes);
  const violations = layerViolations(graph.nodes, ws.layers);
  for (const v of violations) {
    reporter.warn(
      `${v.from} (layer ${v.fromLayer}) depends on ${v.to} (layer ${v.toLayer}), a higher layer`,
    );
  }

  // From here on the workspace changes: one wrknv at a time.
  await using _lock = await acquireRunLock(ws, "setup");
  const logs = new Logs(await ownDir(join(stateDir, "logs")));

  // 3. The venv.
  const uv = await chooseInstaller(ws.python.installer);
  const stamp = await setupStampFile(ws);
  const saved = options.force ? null : parseStamp(await readText(stamp));
  const venvStarted = performance.now();
  reporter.step?.("making the venv");
  const venvReady = await ensureVenv(ws.python.venv, {
    spec: ws.python.version,
    useUv: uv,
    recreate: options.recreate,
    signal,
    known: saved?.python && saved.interpreter
      ? { python: saved.python, stamp: saved.interpreter }
      : undefined,
  }).finally(() => reporter.step?.("making the venv", elapsed(venvStarted)));
  const installer: Installer = {
    kind: uv ? "uv" : "pip",
    uv: uv ?? undefined,
    python: venvPython(ws.python.venv),
  };
  const pyVersion = venvReady.python.version;
  const env = markerEnv(pyVersion);
  const findLinks = [...(options.findLinks ?? [])];
  if (options.offline && await isDir(SYSTEM_WHEELS) && !findLinks.includes(SYSTEM_WHEELS)) {
    findLinks.push(SYSTEM_WHEELS);
  }
  const index = { offline: options.offline, findLinks, signal };
  const pyKey = `${venvReady.python.path} ${pyVersion}`;
  for (const p of planned) {
    const m = p.meta.needsBackend ? await cachedMeta(p, pyKey) : null;
    if (m) p.meta = m;
  }
  graph = graphOf(planned);
  order = topoLayers(graph.nodes);

  // What a sibling needs, by sibling name and by external requirement.
  const siblingNeeds = (p: Planned): { sibling: Sibling; req: Requirement }[] =>
    [...p.meta.dependencies, ...p.meta.optional].filter((r) => applies(r, env)).flatMap((r) => {
      const s = distOf.get(r.normalized);
      return s && s.name !== p.sibling.name ? [{ sibling: s, req: r }] : [];
    });
  const externalsOf = (p: Planned): string[] => [
    ...new Set(
      [...p.meta.dependencies, ...p.meta.optional]
        .filter((r) =>
          applies(r, env) && !distOf.has(r.normalized) && r.normalized !== p.meta.normalized
        )
        .map(formatRequirement),
    ),
  ];
  const ok = (name: string) => {
    const st = outcomes.get(name)?.status;
    return st === undefined || st === "installed" || st === "up-to-date";
  };

  // 4. Checks before any build: requires-python, and siblings that are not here.
  // What the venv held then; still true at the up-to-date check below unless a hook ran between.
  // Asked only when a selected sibling needs one that is not selected.
  let seenEnv: Awaited<ReturnType<typeof inspectEnvironment>> | undefined;
  const checkPlanned = async () => {
    seenEnv = undefined;
    const installedEnv = async () => seenEnv ??= await inspectEnvironment(installer.python);
    for (const p of planned) {
      if (!ok(p.sibling.name)) continue;
      const rp = unmetPython(p.meta, pyVersion);
      if (rp) {
        set({
          name: p.sibling.name,
          status: "failed",
          extras: [],
          error:
            `needs Python ${rp}; the venv has ${pyVersion} (set workspace.python.version to match, then run wrknv setup --recreate)`,
        });
        continue;
      }
      for (const { sibling } of siblingNeeds(p)) {
        if (missing.has(sibling.name)) {
          set({
            name: p.sibling.name,
            status: "blocked",
            extras: [],
            error: `needs ${sibling.name}; missing: run wrknv bootstrap --only ${sibling.name}`,
          });
          break;
        }
        if (!selectedNames.has(sibling.name)) {
          const d = (await installedEnv()).dists.get(
            [...distOf].find(([, s]) => s.name === sibling.name)![0],
          );
          if (!d || !d.editable || d.source !== sibling.path) {
            set({
              name: p.sibling.name,
              status: "blocked",
              extras: [],
              error:
                `needs ${sibling.name}, which is not installed: run wrknv setup --only ${sibling.name}`,
            });
            break;
          }
        }
      }
    }
  };
  const byName = new Map(planned.map((p) => [p.sibling.name, p]));
  const active = () => order.flat().filter(ok).map((n) => byName.get(n)!);
  await checkPlanned();
  const blockDependants = () => {
    for (const level of order) {
      for (const name of level) {
        if (!ok(name)) continue;
        const node = graph.nodes.find((n) => n.name === name)!;
        const bad = node.deps.find((d) => !ok(d.name));
        if (bad) {
          const why = outcomes.get(bad.name)!;
          set({
            name,
            status: "blocked",
            extras: [],
            error: `depends on ${bad.name}, which ${
              why.status === "blocked"
                ? "is blocked"
                : why.status === "missing"
                ? "is missing"
                : "failed"
            }`,
          });
          reporter.done(name, "blocked");
        }
      }
    }
  };
  blockDependants();

  reporter.total?.(active().length);

  // A version from git tags, in a clone without tags, installs as 0.1.dev…: say so.
  const scmWarnings = new Map<string, string>();
  await Promise.all(
    planned.filter((p) => p.meta.scmVersion).map(async (p) => {
      const tags = await git.tagState(p.sibling.path).catch(() => null);
      if (!tags || tags.nearestTag) return;
      const fix = tags.shallow
        ? `git -C ${p.sibling.path} fetch --unshallow --tags`
        : `git -C ${p.sibling.path} fetch --tags`;
      const text = `its version comes from git tags (${p.meta.scmVersion}), but the ${
        tags.shallow ? "shallow clone" : "clone"
      } has none, so it installs as 0.1.dev0 or similar; run: ${fix}`;
      scmWarnings.set(p.sibling.name, text);
      reporter.warn(`${p.sibling.name}: ${text}`);
    }),
  );

  // 5. Hooks before.
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
  if (hooks === "ran") await runHooks(ws, ws.hooks.preInstall, ws.python.venv, reporter, signal);

  const targetOf = (p: Planned): EditableTarget & { project?: string | null } => ({
    name: p.sibling.name,
    path: p.sibling.path,
    extras: p.meta.extrasUsed,
    project: p.meta.name,
  });
  const unavailableList: SetupResult["unavailable"] = [];

  /**
   * Install requirements wanted by siblings; what cannot be had is found
   * all at once, and blocks only the siblings that want it.
   */
  const installWanted = async (
    step: string,
    wants: Map<string, string[]>,
    extra: { constraints?: string; check?: boolean } = {},
  ) => {
    const all = [...new Set([...wants.values()].flat())];
    let todo = all;
    if (extra.check !== false) {
      todo = (await inspectEnvironment(installer.python, all)).unsatisfied;
    }
    if (!todo.length) return;
    const started = performance.now();
    reporter.step?.(`installing ${step}`);
    const opts = { ...index, constraints: extra.constraints };
    const fail = async (name: string, output: string) => {
      const log = await logs.write(name, step, output);
      set({ name, status: "failed", extras: [], error: `${step}: ${failureExcerpt(output)}`, log });
      reporter.done(name, "failed");
    };
    let r = await installRequirements(installer, todo, opts);
    if (!r.ok && !signal?.aborted) {
      const bad = await unavailable(installer, todo, opts);
      if (bad.size === 0) {
        // Each alone can be had, not all together: blame each sibling's own set.
        for (const [name, reqs] of wants) {
          const mine = reqs.filter((q) => todo.includes(q));
          if (!mine.length) continue;
          const one = await installRequirements(installer, mine, opts);
          if (!one.ok) await fail(name, one.output);
        }
      } else {
        for (const [req, reason] of bad) {
          const wantedBy = [...wants].filter(([, rs]) => rs.includes(req)).map(([n]) => n);
          unavailableList.push({ requirement: req, reason, wantedBy });
          // A sibling's name, pinned to a clone that is not there, stopped it.
          const pinned = /not-installed\/([^'"\s/]+)/.exec(reason)?.[1];
          const error = pinned
            ? `needs ${req}, which needs ${pinned}; ${
              missing.has(pinned)
                ? `missing: run wrknv bootstrap --only ${pinned}`
                : `not installed: run wrknv setup --only ${pinned}`
            }`
            : `needs ${req}, which cannot be installed: ${reason}${hintFor(options)}`;
          for (const name of wantedBy) {
            if (!ok(name)) continue;
            const log = await logs.write(name, `${step}: ${req}`, reason);
            set({ name, status: "blocked", extras: [], error, log });
            reporter.done(name, "blocked");
          }
        }
        const rest = todo.filter((q) => !bad.has(q));
        r = rest.length ? await installRequirements(installer, rest, opts) : { ...r, ok: true };
        if (!r.ok) {
          for (const [name, reqs] of wants) {
            if (ok(name) && reqs.some((q) => rest.includes(q))) await fail(name, r.output);
          }
        }
      }
    }
    reporter.step?.(`installing ${step}`, elapsed(started));
  };

  // Up to date? Then nothing to do.
  await checkpoint("install");
  const firstTargets = active().map(targetOf);
  const print = await fingerprint(pyKey, installer.kind, firstTargets, planned);
  let upToDate = !options.force && !venvReady.created && saved?.print === print &&
    [...outcomes.values()].every((o) => o.status === "skipped");
  /** Write the stamp at the end: the venv changed, or was looked at afresh. */
  let restamp = false;
  if (upToDate && !(saved?.site && saved.site === await sitePackagesStamp(ws.python.venv))) {
    // site-packages is not as the last complete run left it: ask the venv what it holds.
    const envNow = hooks !== "ran" && seenEnv
      ? seenEnv
      : await inspectEnvironment(installer.python);
    for (const p of planned) {
      const d = p.meta.normalized ? envNow.dists.get(p.meta.normalized) : undefined;
      if (!d || !d.editable || d.source !== p.sibling.path) upToDate = false;
    }
    restamp = upToDate;
  }

  if (upToDate) {
    for (const t of firstTargets) set({ name: t.name, status: "up-to-date", extras: t.extras });
  } else {
    for (const p of active()) await logs.begin(p.sibling.name);
    // uv's venvs have no pip: users of the seed's setup.sh expect .venv/bin/pip.
    if (installer.kind === "uv") {
      const pip = await inspectEnvironment(installer.python, ["pip"]);
      if (pip.unsatisfied.length) {
        const r = await installRequirements(installer, ["pip"], index);
        if (!r.ok) {
          reporter.warn(`the venv has no pip (uv made it; ${failureExcerpt(r.output)})`);
        }
      }
    }
    // 6. Build requirements: build-system.requires, then what each backend asks for.
    await installWanted(
      "build requirements",
      new Map(active().map((p) => [p.sibling.name, p.meta.buildRequires])),
    );
    blockDependants();
    const workdir = await Deno.makeTempDir({ dir: stateDir, prefix: "hooks-" });
    try {
      const jobs = (list: Planned[]): HookJob[] =>
        list.map((p) => ({
          id: p.sibling.name,
          path: p.sibling.path,
          backend: p.meta.backend,
          backendPath: p.meta.backendPath,
          log: logs.path(p.sibling.name),
        }));
      const asked = active();
      if (asked.length) {
        const started = performance.now();
        reporter.step?.("asking the build backends");
        const answers = await callHooks(installer.python, jobs(asked), {
          hook: "requires",
          workdir,
          signal,
        });
        reporter.step?.("asking the build backends", elapsed(started));
        const wants = new Map<string, string[]>();
        for (const p of asked) {
          const a = answers.get(p.sibling.name)!;
          if (a.ok) wants.set(p.sibling.name, a.requires);
          else {
            set({
              name: p.sibling.name,
              status: "failed",
              extras: [],
              error: `the build backend (${p.meta.backend}) failed: ${a.error}`,
              log: logs.path(p.sibling.name),
            });
            reporter.done(p.sibling.name, "failed");
          }
        }
        await installWanted("backend requirements", wants);
        blockDependants();
      }
      // Metadata only the backend knows (setup.py, dynamic dependencies).
      const unknown = active().filter((p) => p.meta.needsBackend);
      if (unknown.length) {
        const answers = await callHooks(installer.python, jobs(unknown), {
          hook: "metadata",
          workdir,
          signal,
        });
        for (const p of unknown) {
          const a = answers.get(p.sibling.name)!;
          if (a.ok && a.metadata) {
            p.meta = metadataFromCore(p.meta, a.metadata, { extras: ws.python.extras });
            cache.entries[p.sibling.name] = {
              key: await metadataKey(p.files, pyKey),
              metadata: a.metadata,
            };
            if (p.meta.normalized && !distOf.has(p.meta.normalized)) {
              distOf.set(p.meta.normalized, p.sibling);
            }
          } else {
            set({
              name: p.sibling.name,
              status: "failed",
              extras: [],
              error: `could not read its metadata: ${a.ok ? "no METADATA" : a.error}`,
              log: logs.path(p.sibling.name),
            });
          }
        }
        await writeMetadataCache(ws, cache);
        graph = graphOf(planned);
        order = topoLayers(graph.nodes);
        await checkPlanned();
        blockDependants();
      }
    } finally {
      await Deno.remove(workdir, { recursive: true }).catch(() => {});
    }

    // 7. The editable builds, without dependencies (siblings need not be built
    // in order without isolation). pip builds one editable at a time: one pip
    // per core. uv builds in parallel itself: one run.
    const buildSet = async (list: (EditableTarget & { project?: string | null })[]) => {
      let remaining = list;
      while (remaining.length && !signal?.aborted) {
        for (const t of remaining) reporter.start(t.name, "building");
        const r = await installEditables(installer, remaining, { ...index, noDeps: true });
        if (r.ok) {
          for (const t of remaining) {
            set({ name: t.name, status: "installed", extras: t.extras });
            reporter.done(t.name, "built");
          }
          return;
        }
        if (signal?.aborted) return;
        const culprit = blameTarget(r.output, remaining) ??
          (remaining.length === 1 ? remaining[0] : await findCulprit(installer, remaining, index));
        const blamed = culprit ? [culprit] : remaining;
        for (const t of blamed) {
          const log = await logs.write(t.name, "editable build", r.output);
          set({
            name: t.name,
            status: "failed",
            extras: t.extras,
            error: failureExcerpt(r.output),
            log,
          });
          reporter.done(t.name, "failed", failureExcerpt(r.output));
        }
        if (!culprit) return;
        remaining = remaining.filter((t) => t !== culprit);
      }
    };
    const targets = active().map(targetOf);
    const cores = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));
    if (installer.kind === "uv" || cores === 1 || targets.length < 2) await buildSet(targets);
    else {
      const chunks: (typeof targets)[] = Array.from(
        { length: Math.min(cores, targets.length) },
        () => [],
      );
      targets.forEach((t, i) => chunks[i % chunks.length].push(t));
      await Promise.all(chunks.map(buildSet));
    }
    blockDependants();

    // 8. External dependencies, in one run. Every sibling's name is pinned:
    // to the version built from its clone, or, where there is none, to a
    // path that does not exist, so no index is ever asked for it.
    const built = await inspectEnvironment(installer.python);
    const pins: string[] = [];
    const notInstalled = join(stateDir, "not-installed");
    for (const [dist, s] of distOf) {
      const d = built.dists.get(dist);
      if (d && d.editable && d.source === s.path) pins.push(`${d.name}==${d.version}`);
      else pins.push(`${dist} @ ${pathToFileURL(join(notInstalled, s.name)).href}`);
    }
    const wants = new Map(
      active().map((p) => [p.sibling.name, externalsOf(p)] as [string, string[]]).filter((
        [, r],
      ) => r.length),
    );
    if (wants.size && !signal?.aborted) {
      const dir = await Deno.makeTempDir({ dir: stateDir, prefix: "constraints-" });
      try {
        const constraints = join(dir, "constraints.txt");
        await Deno.writeTextFile(constraints, pins.join("\n") + "\n", { createNew: true });
        const n = new Set([...wants.values()].flat()).size;
        await installWanted(`dependencies (${plural(n, "requirement")})`, wants, {
          constraints,
          check: false,
        });
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
    // What depends on a failure is blocked, even if its own build worked.
    blockDependants();
    const all = planned.every((p) => ok(p.sibling.name));
    if (all) restamp = true;
    else await Deno.remove(stamp).catch(() => {});
    await checkpoint("installed");
  }

  // Notes: extras a sibling lacks, versions from git tags in a clone without them.
  for (const p of planned) {
    const o = outcomes.get(p.sibling.name);
    if (!o) continue;
    o.extras = o.status === "installed" || o.status === "up-to-date" ? p.meta.extrasUsed : [];
    const notes: string[] = [];
    if (p.meta.extrasMissing.length) {
      notes.push(
        `has no extra ${
          p.meta.extrasMissing.map((e) => `"${e}"`).join(", ")
        }; installed without it`,
      );
    }
    const scm = scmWarnings.get(p.sibling.name);
    if (scm) notes.push(scm);
    if (notes.length) o.note = notes.join("; ");
  }

  const writeStamp = async () => {
    const doc: SetupStamp = {
      // Taken again: metadata only a backend knew (setup.cfg, setup.py, dynamic dependencies)
      // may have changed the order since, and the next run starts from that order.
      print: await fingerprint(pyKey, installer.kind, active().map(targetOf), planned),
      python: venvReady.python,
      interpreter: await interpreterStamp(ws.python.venv) ?? undefined,
      site: await sitePackagesStamp(ws.python.venv) ?? undefined,
    };
    await Deno.writeTextFile(stamp, JSON.stringify(doc) + "\n");
  };
  if (restamp) await writeStamp();
  if (hooks === "ran") {
    await runHooks(ws, ws.hooks.postInstall, ws.python.venv, reporter, signal);
    // What the hooks installed is part of what the next run finds.
    if (upToDate || restamp) await writeStamp();
  }

  const list = selected.map((s) =>
    outcomes.get(s.name) ??
      { name: s.name, status: "failed" as const, extras: [], error: "interrupted" }
  );
  return {
    ok: list.every((o) =>
      o.status !== "failed" && o.status !== "blocked" && o.status !== "missing"
    ),
    venv: ws.python.venv,
    python: pyVersion,
    installer: installer.kind,
    order,
    siblings: list,
    layerViolations: violations,
    hooks,
    createdVenv: venvReady.created,
    unavailable: unavailableList,
  };
}

/**
 * `dir`, a directory of wrknv's state: made when missing; refused when
 * something else (a file, a symbolic link someone committed) stands there.
 */
async function ownDir(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true }).catch(() => {});
  const info = await Deno.lstat(dir).catch(() => null);
  if (!info?.isDirectory) {
    throw new WrknvError(`${dir} is not a directory wrknv made`, {
      hint: "move it away, then run wrknv setup again",
    });
  }
  return dir;
}

function hintFor(options: SetupOptions): string {
  if (!options.offline) return "";
  return options.findLinks?.length
    ? " (add its wheel to a --find-links directory)"
    : " (offline: pass --find-links DIR with its wheel)";
}

function elapsed(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
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
