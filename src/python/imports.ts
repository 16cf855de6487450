/**
 * Top-level import names of a Python project. What its pyproject.toml says
 * where that is simple (setuptools `packages`, `py-modules` and
 * `package-dir`, `packages.find.where`, hatch's wheel `packages`, flit's
 * module, poetry's `packages`, pdm's `package-dir`, maturin's
 * `python-source` and `module-name`); otherwise the layout: src layout, flat
 * layout, namespace packages (`provide/foundation/__init__.py` without
 * `provide/__init__.py` gives `provide.foundation`) and single modules.
 *
 * `importHints` is pure; `discoverImportNames` reads the directory.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "smol-toml";

/** Directories a flat layout never ships (as setuptools' automatic discovery leaves them out). */
const NOT_PACKAGES = new Set([
  "bench",
  "benchmark",
  "benchmarks",
  "bin",
  "build",
  "changelog",
  "ci",
  "debian",
  "dist",
  "doc",
  "docs",
  "documentation",
  "env",
  "example",
  "examples",
  "fabfile",
  "manpages",
  "news",
  "newsfragments",
  "node_modules",
  "scripts",
  "site_packages",
  "site_scons",
  "src",
  "tasks",
  "test",
  "testing",
  "tests",
  "tools",
  "unittest",
  "unittests",
  "venv",
]);

/** Modules at the root of a flat layout that are tooling, not the project. */
const NOT_MODULES = new Set([
  "setup",
  "conftest",
  "noxfile",
  "fabfile",
  "tasks",
  "manage",
  "dodo",
  "pavement",
]);

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** What a pyproject.toml says about where the code is. */
export interface ImportHints {
  /** Import names it declares outright, in the order given. */
  names: string[];
  /** Where some of those names live, relative to the project (hatch and poetry say). */
  paths: Record<string, string>;
  /** Directories (relative to the project) to look for packages in, instead of src/ and the root. */
  roots: string[];
  /**
   * Set when the project says outright that it ships no modules: the
   * setting that says so, such as `tool.setuptools.packages = []`.
   */
  none?: string;
}

type Table = Record<string, unknown>;

function at(doc: unknown, ...keys: string[]): unknown {
  let v = doc;
  for (const k of keys) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Table)[k];
  }
  return v;
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function relDir(path: string): string | null {
  const clean = path.replace(/\\/g, "/").replace(/^\.\/+/, "").replace(/\/+$/, "");
  if (clean === "" || clean === ".") return ".";
  if (clean.startsWith("/") || clean.split("/").includes("..")) return null;
  return clean;
}

/** Keep the outermost packages: `a.b` goes when `a` is there. */
function topLevel(names: readonly string[]): string[] {
  const valid = [...new Set(names.filter((n) => DOTTED.test(n)))];
  return valid.filter((n) => !valid.some((o) => n.startsWith(`${o}.`)));
}

/** The setting by which a project ships no modules at all, if it has one. */
function declaresNone(doc: Table): string | undefined {
  const st = at(doc, "tool", "setuptools");
  const packages = at(st, "packages");
  const modules = at(st, "py-modules");
  if (
    Array.isArray(packages) && packages.length === 0 &&
    (modules === undefined || (Array.isArray(modules) && modules.length === 0))
  ) {
    return modules === undefined
      ? "tool.setuptools.packages = []"
      : "tool.setuptools.packages = [] and py-modules = []";
  }
  if (at(doc, "tool", "hatch", "build", "targets", "wheel", "bypass-selection") === true) {
    return "tool.hatch.build.targets.wheel.bypass-selection = true";
  }
  if (at(doc, "tool", "poetry", "package-mode") === false) {
    return "tool.poetry.package-mode = false";
  }
  return undefined;
}

/**
 * Read where the code is from a pyproject.toml's text, where it says so
 * simply. Text that is not TOML gives no hints.
 */
export function importHints(text: string): ImportHints {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch {
    return { names: [], paths: {}, roots: [] };
  }
  const none = declaresNone(doc);
  if (none) return { names: [], paths: {}, roots: [], none };
  const names: string[] = [];
  const paths: Record<string, string> = {};
  const roots: string[] = [];
  const addRoot = (path: string) => {
    const dir = relDir(path);
    if (dir !== null && !roots.includes(dir)) roots.push(dir);
  };

  // setuptools
  const st = at(doc, "tool", "setuptools");
  const packages = at(st, "packages");
  const packageDir = at(st, "package-dir");
  if (Array.isArray(packages)) names.push(...topLevel(stringList(packages)));
  names.push(...stringList(at(st, "py-modules")).filter((m) => IDENT.test(m)));
  for (const where of stringList(at(packages, "find", "where"))) addRoot(where);
  if (typeof packageDir === "object" && packageDir !== null) {
    for (const [pkg, dir] of Object.entries(packageDir as Table)) {
      if (typeof dir !== "string") continue;
      if (pkg === "") addRoot(dir);
      else if (!Array.isArray(packages)) names.push(...topLevel([pkg]));
    }
  }

  // hatch: packages = ["src/foo"] ships foo
  for (const p of stringList(at(doc, "tool", "hatch", "build", "targets", "wheel", "packages"))) {
    const path = relDir(p);
    const last = path?.split("/").pop() ?? "";
    if (path !== null && IDENT.test(last)) {
      names.push(last);
      paths[last] ??= path;
    }
  }

  // flit
  const flit = at(doc, "tool", "flit", "module", "name");
  if (typeof flit === "string" && DOTTED.test(flit)) names.push(flit);

  // poetry: packages = [{ include = "foo", from = "src" }]
  const poetry = at(doc, "tool", "poetry", "packages");
  if (Array.isArray(poetry)) {
    for (const p of poetry) {
      const include = at(p, "include");
      const from = at(p, "from");
      if (typeof include !== "string") continue;
      const dotted = include.replace(/\.py$/, "").replace(/\/+$/, "").replace(/\//g, ".");
      if (!DOTTED.test(dotted)) continue;
      names.push(dotted);
      const path = relDir(typeof from === "string" ? `${from}/${include}` : include);
      if (path !== null && !path.endsWith(".py")) paths[dotted] ??= path;
    }
  }

  // pdm
  const pdm = at(doc, "tool", "pdm", "build", "package-dir");
  if (typeof pdm === "string") addRoot(pdm);

  // maturin: the Python side lives in python-source; module-name is the extension's dotted name
  const maturin = at(doc, "tool", "maturin");
  const source = at(maturin, "python-source");
  if (typeof source === "string") addRoot(source);
  const module = at(maturin, "module-name");
  if (typeof module === "string" && DOTTED.test(module)) names.push(module.split(".")[0]);

  const top = topLevel(names);
  return {
    names: top,
    paths: Object.fromEntries(Object.entries(paths).filter(([n]) => top.includes(n))),
    roots,
  };
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).sort((a, b) => a.name < b.name ? -1 : 1);
  } catch {
    return [];
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** Regular packages under a namespace directory, as dotted names (up to `depth` levels down). */
async function namespaced(dir: string, prefix: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for (const e of await entries(dir)) {
    if (!e.isDirectory || !IDENT.test(e.name) || e.name === "__pycache__") continue;
    const name = `${prefix}.${e.name}`;
    if (await isFile(join(dir, e.name, "__init__.py"))) found.push(name);
    else if (depth > 1) found.push(...await namespaced(join(dir, e.name), name, depth - 1));
  }
  return found;
}

/** Packages and modules directly in `dir`. */
async function packagesIn(
  dir: string,
  options: { exclude: boolean },
): Promise<{ packages: string[]; modules: string[] }> {
  const packages: string[] = [];
  const modules: string[] = [];
  for (const e of await entries(dir)) {
    if (e.isDirectory) {
      if (!IDENT.test(e.name) || e.name === "__pycache__") continue;
      if (options.exclude && NOT_PACKAGES.has(e.name.toLowerCase())) continue;
      if (await isFile(join(dir, e.name, "__init__.py"))) packages.push(e.name);
      else packages.push(...await namespaced(join(dir, e.name), e.name, 3));
    } else if (e.isFile && e.name.endsWith(".py")) {
      const mod = e.name.slice(0, -3);
      if (IDENT.test(mod) && !mod.startsWith("_") && !NOT_MODULES.has(mod)) modules.push(mod);
    }
  }
  return { packages, modules };
}

/** The import names of a project, and where they came from. */
export interface DiscoveredImports {
  /** Top-level (or, in a namespace package, first regular) import names. */
  names: string[];
  /**
   * `declared` (pyproject.toml names them), `layout` (found on disk),
   * `guess` (only the distribution name made an identifier: nothing was
   * found) or `none` (the project says it ships no modules).
   */
  source: "declared" | "layout" | "guess" | "none";
  /** For `none`: the setting that says so. */
  setting?: string;
}

/**
 * The top-level import names of the project in `dir`: what its
 * pyproject.toml declares, else what its layout shows (src/ first, then
 * the root, leaving out tests, docs, build and the like). `project` (the
 * distribution name) picks among several candidates and is the last
 * resort, with `-` and `.` made `_`. A project that declares it ships no
 * modules (`packages = []`) has none.
 */
export async function discoverImports(
  dir: string,
  options: { project?: string | null } = {},
): Promise<DiscoveredImports> {
  const text = await readText(join(dir, "pyproject.toml"));
  const hints: ImportHints = text === null
    ? { names: [], paths: {}, roots: [] }
    : importHints(text);
  if (hints.none) return { names: [], source: "none", setting: hints.none };
  const guess = (options.project ?? "").toLowerCase().replace(/[-.]+/g, "_");
  const found = await fromLayout(dir, hints, guess);
  if (found.length) return { names: found, source: hints.names.length ? "declared" : "layout" };
  return { names: guess ? [guess] : [], source: "guess" };
}

/**
 * The top-level import names of the project in `dir` (see
 * {@link discoverImports}), the distribution name made an identifier when
 * nothing is found.
 */
export async function discoverImportNames(
  dir: string,
  options: { project?: string | null } = {},
): Promise<string[]> {
  return (await discoverImports(dir, options)).names;
}

async function fromLayout(dir: string, hints: ImportHints, guess: string): Promise<string[]> {
  if (hints.names.length) {
    // A declared name may be a namespace: then its regular packages are what to import.
    const out: string[] = [];
    for (const name of hints.names) {
      const rel = name.replace(/\./g, "/");
      const candidates = hints.paths[name] !== undefined
        ? [hints.paths[name]]
        : [...hints.roots, "src", "."].map((r) => r === "." ? rel : `${r}/${rel}`);
      let inside: string[] = [];
      for (const c of candidates) {
        const path = join(dir, c);
        if (await isFile(join(path, "__init__.py")) || await isFile(`${path}.py`)) break;
        inside = await namespaced(path, name, 3);
        if (inside.length) break;
      }
      for (const n of inside.length ? inside : [name]) if (!out.includes(n)) out.push(n);
    }
    return out;
  }
  const pick = (names: string[]) => {
    const named = names.filter((n) => n.toLowerCase().replace(/\./g, "_") === guess);
    return named.length ? named : names;
  };

  // Declared roots, then src/: everything there is the project's (a package may well be "tools").
  for (const root of hints.roots.length ? hints.roots : ["src"]) {
    if (root === ".") continue;
    const { packages, modules } = await packagesIn(join(dir, root), { exclude: false });
    if (packages.length || modules.length) return [...packages, ...modules];
  }

  // The flat layout: packages first, then a module named like the project, or the only one.
  const { packages, modules } = await packagesIn(dir, { exclude: true });
  if (packages.length) return pick(packages);
  if (guess && modules.includes(guess)) return [guess];
  if (modules.length === 1) return modules;
  return [];
}
