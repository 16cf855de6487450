/**
 * What a Python project declares, from whichever layout it uses: PEP 621
 * `[project]`, Poetry's `[tool.poetry]`, setuptools' `setup.cfg`, or (for a
 * `setup.py`-only project, or dependencies the backend computes) the core
 * metadata its build backend prepares (`METADATA`, read by
 * {@link metadataFromCore}). `projectMetadata` is pure; `readProjectFiles`
 * reads the few files it needs from a directory. setup, validate and graph
 * all read projects through here.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "smol-toml";
import { parseSpecifierSet, satisfies } from "./pep440.ts";
import { normalizeName, parseRequirement, type Requirement } from "./pep508.ts";
import { dedupe, type Pyproject, PyprojectError, readPyproject } from "./pyproject.ts";

/** Where a project's metadata came from. */
export type MetadataSource = "project" | "poetry" | "setup.cfg" | "backend" | "none";

/** A project's metadata, whatever its layout: a {@link Pyproject} and where it came from. */
export interface ProjectMetadata extends Pyproject {
  /** Which table or file gave the name and dependencies. */
  source: MetadataSource;
  /**
   * True when the files alone do not give the dependencies: a `setup.py`
   * that may compute them, or `dynamic` dependencies. The backend's
   * `prepare_metadata_for_build_editable` answers then.
   */
  needsBackend: boolean;
  /** The tool that derives the version from git tags (setuptools-scm, hatch-vcs…), when one does. */
  scmVersion?: string;
  /** The PEP 517 backend, `build-system.build-backend` or setuptools' legacy one. */
  backend: string;
  /** `build-system.backend-path`: in-tree backend directories. */
  backendPath: string[];
}

/** The files a project is read from, as text (null when absent). */
export interface ProjectFiles {
  /** pyproject.toml. */
  pyproject: string | null;
  /** setup.cfg. */
  setupCfg: string | null;
  /** setup.py. */
  setupPy: string | null;
}

/** The legacy backend PEP 517 frontends use for a project without `build-backend`. */
export const LEGACY_BACKEND = "setuptools.build_meta:__legacy__";

/** Read pyproject.toml, setup.cfg and setup.py from `dir`; null for each that is absent. */
export async function readProjectFiles(dir: string): Promise<ProjectFiles> {
  const read = (name: string) => Deno.readTextFile(join(dir, name)).catch(() => null);
  const [pyproject, setupCfg, setupPy] = await Promise.all([
    read("pyproject.toml"),
    read("setup.cfg"),
    read("setup.py"),
  ]);
  return { pyproject, setupCfg, setupPy };
}

/** True when there is nothing to build: no pyproject.toml, setup.cfg or setup.py. */
export function isPythonProject(files: ProjectFiles): boolean {
  return files.pyproject !== null || files.setupCfg !== null || files.setupPy !== null;
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function at(doc: unknown, ...keys: string[]): unknown {
  let v = doc;
  for (const k of keys) v = isTable(v) ? v[k] : undefined;
  return v;
}

/** Version tools that take the version from git tags, by build requirement name. */
const SCM_TOOLS = [
  "setuptools-scm",
  "setuptools-git-versioning",
  "hatch-vcs",
  "versioningit",
  "pdm-backend",
  "poetry-dynamic-versioning",
  "dunamai",
  "flit-scm",
  "uv-dynamic-versioning",
];

function scmTool(doc: Table, buildRequires: string[], dynamic: string[]): string | undefined {
  const names = buildRequires.map((r) => {
    try {
      return parseRequirement(r).normalized;
    } catch {
      return "";
    }
  });
  const hatchSource = at(doc, "tool", "hatch", "version", "source");
  if (hatchSource === "vcs") return "hatch-vcs";
  if (at(doc, "tool", "pdm", "version", "source") === "scm") return "pdm-backend";
  if (isTable(at(doc, "tool", "poetry-dynamic-versioning"))) {
    const enable = at(doc, "tool", "poetry-dynamic-versioning", "enable");
    if (enable !== false) return "poetry-dynamic-versioning";
  }
  if (!dynamic.includes("version")) return undefined;
  for (const tool of SCM_TOOLS) {
    if (tool === "pdm-backend" || tool === "poetry-dynamic-versioning") continue;
    if (names.includes(tool)) return tool;
  }
  return undefined;
}

/**
 * A project's metadata from its files, pure. `[project]` wins where it has
 * a name; then `[tool.poetry]`; then setup.cfg's `[metadata]` and
 * `[options]`; a lone setup.py gives no name and `needsBackend`. `extras`
 * are the extras the workspace asks for.
 *
 * @throws {PyprojectError} for a pyproject.toml or setup.cfg that cannot be
 *   read (naming the key or line)
 */
export function projectMetadata(
  files: ProjectFiles,
  options: { extras: readonly string[] },
): ProjectMetadata {
  const base = readPyproject(files.pyproject ?? "", options);
  const doc = files.pyproject === null ? {} : parse(files.pyproject) as Table;
  const build = isTable(doc["build-system"]) ? doc["build-system"] : undefined;
  const backendPath = Array.isArray(build?.["backend-path"])
    ? (build["backend-path"] as unknown[]).filter((p): p is string => typeof p === "string")
    : [];
  const common = {
    backend: base.buildBackend ?? LEGACY_BACKEND,
    backendPath,
  };
  const scm = (m: Pyproject) => scmTool(doc, m.buildRequires, m.dynamic);
  if (base.name !== null) {
    const computed = base.dynamic.some((d) =>
      d === "dependencies" || d === "optional-dependencies"
    );
    const out: ProjectMetadata = {
      ...base,
      ...common,
      source: "project",
      needsBackend: computed,
    };
    // setuptools fills dynamic dependencies from setup.cfg as well.
    if (computed && files.setupCfg !== null) {
      const cfg = readSetupCfg(files.setupCfg, options.extras);
      if (cfg.hasRequires) {
        out.dependencies = cfg.dependencies;
        out.optional = cfg.optional;
        out.extrasAvailable = cfg.extrasAvailable;
        out.extrasUsed = cfg.extrasUsed;
        out.extrasMissing = cfg.extrasMissing;
        out.needsBackend = files.setupPy !== null;
      }
    }
    const tool = scm(base);
    return tool ? { ...out, scmVersion: tool } : out;
  }
  const poetry = at(doc, "tool", "poetry");
  if (isTable(poetry) && typeof poetry.name === "string") {
    const out: ProjectMetadata = {
      ...base,
      ...common,
      ...readPoetry(poetry, options.extras),
      source: "poetry",
      needsBackend: false,
    };
    const tool = scm(out);
    return tool ? { ...out, scmVersion: tool } : out;
  }
  if (files.setupCfg !== null) {
    const cfg = readSetupCfg(files.setupCfg, options.extras);
    if (cfg.name !== null) {
      const out: ProjectMetadata = {
        ...base,
        ...common,
        name: cfg.name,
        normalized: normalizeName(cfg.name),
        ...(cfg.requiresPython ? { requiresPython: cfg.requiresPython } : {}),
        dependencies: cfg.dependencies,
        optional: cfg.optional,
        extrasAvailable: cfg.extrasAvailable,
        extrasUsed: cfg.extrasUsed,
        extrasMissing: cfg.extrasMissing,
        source: "setup.cfg",
        // setup.py may add to what setup.cfg says, unless setup.cfg lists them itself.
        needsBackend: files.setupPy !== null && !cfg.hasRequires,
      };
      const tool = cfg.scm ?? scmTool(doc, base.buildRequires, ["version"]);
      return tool ? { ...out, scmVersion: tool } : out;
    }
  }
  const out: ProjectMetadata = {
    ...base,
    ...common,
    source: "none",
    needsBackend: files.setupPy !== null || files.setupCfg !== null,
  };
  const tool = files.setupPy !== null && /use_scm_version/.test(files.setupPy)
    ? "setuptools-scm"
    : scmTool(doc, base.buildRequires, ["version"]);
  return tool ? { ...out, scmVersion: tool } : out;
}

/** Extras asked for, matched against those a project has (PEP 685 names). */
function matchExtras(available: string[], asked: readonly string[]) {
  const key = new Map(available.map((e) => [normalizeName(e), e]));
  const used: string[] = [];
  const missing: string[] = [];
  for (const e of asked) {
    const found = key.get(normalizeName(e));
    if (found === undefined) missing.push(e);
    else if (!used.includes(found)) used.push(found);
  }
  return { used, missing };
}

// ---- setup.cfg --------------------------------------------------------------

/**
 * setup.cfg as sections of keys (as written), values with their
 * continuation lines joined by "\n".
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | null = null;
  let key: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") return;
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = out[header[1].trim()] ??= {};
      key = null;
      return;
    }
    if (/^\s/.test(raw) && section && key !== null) {
      section[key] += "\n" + raw.trim();
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv || !section) throw new PyprojectError(`setup.cfg line ${i + 1}: cannot read "${raw}"`);
    key = kv[1].trim();
    (section as Record<string, string>)[key] = kv[2].trim();
  });
  return out;
}

function cfgList(value: string | undefined, where: string): Requirement[] {
  if (!value) return [];
  // As setuptools reads a list: one item a line, or ";"-separated on one line.
  const items = (value.includes("\n") ? value.split("\n") : value.split(";"))
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter((l) => l !== "");
  return items.map((text, i) => {
    try {
      return parseRequirement(text);
    } catch (error) {
      throw new PyprojectError(`setup.cfg ${where}[${i}]: ${(error as Error).message}`);
    }
  });
}

function readSetupCfg(text: string, asked: readonly string[]) {
  const ini = parseIni(text);
  // setuptools reads `install-requires` as `install_requires`, and any case.
  const keys = (section: Record<string, string> = {}) =>
    Object.fromEntries(
      Object.entries(section).map(([k, v]) => [k.toLowerCase().replace(/-/g, "_"), v]),
    );
  const meta = keys(ini.metadata);
  const opts = keys(ini.options);
  const name = meta.name && !meta.name.startsWith("attr:") ? meta.name : null;
  const dependencies = cfgList(opts.install_requires, "options.install_requires");
  const extrasTable = ini["options.extras_require"] ?? {};
  const extrasAvailable = Object.keys(extrasTable);
  const { used, missing } = matchExtras(extrasAvailable, asked);
  const optional = dedupe(
    used.flatMap((e) => cfgList(extrasTable[e], `options.extras_require.${e}`)),
  );
  let requiresPython: string | undefined = opts.python_requires;
  if (requiresPython) {
    try {
      parseSpecifierSet(requiresPython);
    } catch {
      requiresPython = undefined;
    }
  }
  const setupRequires = opts.setup_requires ?? "";
  return {
    name,
    dependencies,
    optional,
    extrasAvailable,
    extrasUsed: used,
    extrasMissing: missing,
    requiresPython,
    hasRequires: opts.install_requires !== undefined,
    scm: /setuptools[-_]scm/i.test(setupRequires) ? "setuptools-scm" : undefined,
  };
}

// ---- Poetry -----------------------------------------------------------------

/** A Poetry version constraint as a PEP 440 specifier ("" for any; null when not expressible). */
export function poetryConstraint(text: string): string | null {
  const spec = text.trim();
  if (spec === "" || spec === "*") return "";
  if (spec.includes("||")) return null;
  const parts = spec.split(/\s*,\s*|\s+(?=[<>=!~^])/).filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    const caret = /^\^\s*(\d+(?:\.\d+)*)(.*)$/.exec(part);
    const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)(.*)$/.exec(part);
    if (caret) {
      const nums = caret[1].split(".").map(Number);
      const first = nums.findIndex((n) => n !== 0);
      const i = first === -1 ? nums.length - 1 : first;
      const upper = nums.slice(0, i + 1);
      upper[i]++;
      out.push(`>=${caret[1]}${caret[2]}`, `<${upper.join(".")}`);
    } else if (tilde) {
      const nums = tilde[1].split(".").map(Number);
      const upper = nums.length === 1 ? [nums[0] + 1] : [nums[0], nums[1] + 1];
      out.push(`>=${tilde[1]}${tilde[2]}`, `<${upper.join(".")}`);
    } else if (/^\d/.test(part)) out.push(`==${part}`);
    else if (/^(==|!=|<=|>=|<|>|~=)/.test(part)) out.push(part.replace(/\s+/g, ""));
    else return null;
  }
  return out.join(",");
}

function poetryRequirement(name: string, value: unknown, where: string): Requirement | null {
  let spec = "";
  let extras: string[] = [];
  let marker: string | undefined;
  if (typeof value === "string") spec = value;
  else if (isTable(value)) {
    if (typeof value.version === "string") spec = value.version;
    if (Array.isArray(value.extras)) extras = value.extras.filter((x) => typeof x === "string");
    if (typeof value.markers === "string") marker = value.markers;
    if (typeof value.python === "string") {
      const py = poetryConstraint(value.python);
      if (py) {
        const m = py.split(",").map((c) => {
          const op = /^(==|!=|<=|>=|<|>|~=)(.*)$/.exec(c)!;
          return `python_version ${op[1]} "${op[2]}"`;
        }).join(" and ");
        marker = marker ? `(${marker}) and (${m})` : m;
      }
    }
  } else if (Array.isArray(value)) {
    // Multiple constraints by marker: keep the name, any version.
    spec = "";
  } else return null;
  const pep = poetryConstraint(spec) ?? "";
  const text = `${name}${extras.length ? `[${extras.join(",")}]` : ""}${pep}${
    marker ? `; ${marker}` : ""
  }`;
  try {
    return parseRequirement(text);
  } catch {
    try {
      return parseRequirement(name);
    } catch (error) {
      throw new PyprojectError(`${where}: ${(error as Error).message}`);
    }
  }
}

function readPoetry(poetry: Table, asked: readonly string[]) {
  const name = poetry.name as string;
  const deps = isTable(poetry.dependencies) ? poetry.dependencies : {};
  let requiresPython: string | undefined;
  const base: Requirement[] = [];
  const optionalByName = new Map<string, Requirement>();
  for (const [dep, value] of Object.entries(deps)) {
    if (dep.toLowerCase() === "python") {
      requiresPython = typeof value === "string" ? poetryConstraint(value) ?? undefined : undefined;
      continue;
    }
    const req = poetryRequirement(dep, value, `tool.poetry.dependencies.${dep}`);
    if (!req) continue;
    if (isTable(value) && value.optional === true) optionalByName.set(req.normalized, req);
    else base.push(req);
  }
  const extrasTable = isTable(poetry.extras) ? poetry.extras : {};
  const extrasAvailable = Object.keys(extrasTable);
  const { used, missing } = matchExtras(extrasAvailable, asked);
  const optional = dedupe(used.flatMap((e) => {
    const list = Array.isArray(extrasTable[e]) ? extrasTable[e] as unknown[] : [];
    return list.flatMap((n) =>
      typeof n === "string" && optionalByName.has(normalizeName(n))
        ? [optionalByName.get(normalizeName(n))!]
        : []
    );
  }));
  const groups: Record<string, Requirement[]> = {};
  const groupTables = isTable(poetry.group) ? poetry.group : {};
  for (const [group, table] of Object.entries(groupTables)) {
    const gdeps = at(table, "dependencies");
    if (!isTable(gdeps)) continue;
    groups[group] = Object.entries(gdeps).flatMap(([dep, value]) => {
      const r = poetryRequirement(dep, value, `tool.poetry.group.${group}.dependencies.${dep}`);
      return r ? [r] : [];
    });
  }
  if (isTable(poetry["dev-dependencies"])) {
    groups.dev = Object.entries(poetry["dev-dependencies"]).flatMap(([dep, value]) => {
      const r = poetryRequirement(dep, value, `tool.poetry.dev-dependencies.${dep}`);
      return r ? [r] : [];
    });
  }
  return {
    name,
    normalized: normalizeName(name),
    ...(requiresPython ? { requiresPython } : {}),
    dependencies: base,
    optional,
    extrasAvailable,
    extrasUsed: used,
    extrasMissing: missing,
    groups,
  };
}

// ---- core metadata (METADATA / PKG-INFO) -------------------------------------

/**
 * Fill a project's name, requires-python and dependencies from the core
 * metadata (RFC 822 headers: `Name`, `Requires-Python`, `Requires-Dist`,
 * `Provides-Extra`) that its backend prepared. `Requires-Dist` lines with an
 * `extra == "x"` marker go to the chosen extras they belong to.
 */
export function metadataFromCore(
  meta: ProjectMetadata,
  text: string,
  options: { extras: readonly string[] },
): ProjectMetadata {
  const headers: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // the body starts
    if (/^\s/.test(line) && headers.length) headers.at(-1)![1] += " " + line.trim();
    else {
      const i = line.indexOf(":");
      if (i > 0) headers.push([line.slice(0, i).toLowerCase(), line.slice(i + 1).trim()]);
    }
  }
  const get = (k: string) => headers.filter(([h]) => h === k).map(([, v]) => v);
  const name = get("name")[0] ?? meta.name;
  const extrasAvailable = get("provides-extra");
  const { used, missing } = matchExtras(extrasAvailable, options.extras);
  const usedNorm = new Set(used.map(normalizeName));
  const dependencies: Requirement[] = [];
  const optional: Requirement[] = [];
  for (const text of get("requires-dist")) {
    let req: Requirement;
    try {
      req = parseRequirement(text);
    } catch {
      continue;
    }
    const extra = /extra\s*==\s*["']([^"']+)["']/.exec(req.marker ?? "");
    if (!extra) {
      dependencies.push(req);
      continue;
    }
    if (!usedNorm.has(normalizeName(extra[1]))) continue;
    const rest = (req.marker ?? "").replace(/\s*(and\s+)?extra\s*==\s*["'][^"']+["']\s*/, " ")
      .replace(/^\s*and\s+|\s+and\s*$/g, "").trim();
    optional.push({
      ...req,
      ...(rest && rest !== "()" ? { marker: rest } : { marker: undefined }),
    });
  }
  const requiresPython = get("requires-python")[0] ?? meta.requiresPython;
  return {
    ...meta,
    name: name ?? null,
    normalized: name ? normalizeName(name) : null,
    ...(requiresPython ? { requiresPython } : {}),
    dependencies,
    optional: dedupe(optional.map((r) => r.marker === undefined ? dropMarker(r) : r)),
    extrasAvailable,
    extrasUsed: used,
    extrasMissing: missing,
    source: "backend",
    needsBackend: false,
  };
}

function dropMarker(r: Requirement): Requirement {
  const { marker: _, ...rest } = r;
  return rest;
}

/** A directory read as a project: what is there and what it declares. */
export type LoadedProject =
  | { kind: "absent" }
  | { kind: "not-python" }
  | { kind: "error"; file: string; message: string }
  | { kind: "ok"; files: ProjectFiles; metadata: ProjectMetadata };

/**
 * Read the project in `dir`: `absent` when the directory is not there,
 * `not-python` when it holds no pyproject.toml, setup.cfg or setup.py,
 * `error` naming the file that cannot be read, else its metadata.
 */
export async function loadProject(
  dir: string,
  options: { extras: readonly string[] },
): Promise<LoadedProject> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) return { kind: "absent" };
  } catch {
    return { kind: "absent" };
  }
  const files = await readProjectFiles(dir);
  if (!isPythonProject(files)) return { kind: "not-python" };
  try {
    return { kind: "ok", files, metadata: projectMetadata(files, options) };
  } catch (error) {
    const message = (error as Error).message;
    const file = message.startsWith("setup.cfg") ? "setup.cfg" : "pyproject.toml";
    return { kind: "error", file, message: message.replace(/^setup\.cfg /, "") };
  }
}

/**
 * The `requires-python` a project has that `version` does not satisfy, or
 * null (also when the project says none, or says something unreadable).
 */
export function unmetPython(meta: Pick<ProjectMetadata, "requiresPython">, version: string) {
  const spec = meta.requiresPython;
  if (!spec) return null;
  try {
    return satisfies(version, spec) ? null : spec;
  } catch {
    return null;
  }
}
