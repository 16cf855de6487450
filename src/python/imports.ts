/**
 * Top-level import names of a Python project, found from its layout: src
 * layout, flat layout, namespace packages (`provide/foundation/__init__.py`
 * without `provide/__init__.py` gives `provide.foundation`) and single
 * modules.
 *
 * @module
 */
import { join } from "node:path";

const NOT_PACKAGES = new Set([
  "tests",
  "test",
  "testing",
  "docs",
  "doc",
  "build",
  "dist",
  "examples",
  "example",
  "scripts",
  "benchmarks",
  "bench",
  "tools",
  "site-packages",
  "node_modules",
]);

const NOT_MODULES = new Set([
  "setup.py",
  "conftest.py",
  "noxfile.py",
  "fabfile.py",
  "tasks.py",
  "manage.py",
]);

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

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Packages in `dir`: regular ones by name, namespace ones as `ns.sub` (one level deep). */
async function packagesIn(
  dir: string,
  options: { modules: boolean; exclude: boolean },
): Promise<string[]> {
  const found: string[] = [];
  for (const e of await entries(dir)) {
    if (
      e.name.startsWith(".") ||
      e.name.startsWith("_") && e.name !== "__init__.py" && !IDENT.test(e.name)
    ) continue;
    const excluded = options.exclude && (NOT_PACKAGES.has(e.name) || e.name === "src");
    if (e.isDirectory && IDENT.test(e.name) && !excluded && !e.name.endsWith(".egg-info")) {
      if (await isFile(join(dir, e.name, "__init__.py"))) {
        found.push(e.name);
        continue;
      }
      // A namespace package: no __init__.py, but packages inside.
      for (const sub of await entries(join(dir, e.name))) {
        if (
          sub.isDirectory && IDENT.test(sub.name) &&
          await isFile(join(dir, e.name, sub.name, "__init__.py"))
        ) {
          found.push(`${e.name}.${sub.name}`);
        }
      }
    } else if (options.modules && e.isFile && e.name.endsWith(".py") && !NOT_MODULES.has(e.name)) {
      const mod = e.name.slice(0, -3);
      if (IDENT.test(mod)) found.push(mod);
    }
  }
  return found;
}

/**
 * The import names of the project in `dir`. `project` (its distribution
 * name) is the fallback, with `-` and `.` made `_`.
 */
export async function discoverImportNames(
  dir: string,
  options: { project?: string | null } = {},
): Promise<string[]> {
  // Under src/ everything is the project's (a package may well be called "tools").
  const src = await packagesIn(join(dir, "src"), { modules: true, exclude: false });
  if (src.length) return src;
  const flat = await packagesIn(dir, { modules: false, exclude: true });
  const guess = (options.project ?? "").toLowerCase().replace(/[-.]+/g, "_");
  if (flat.length) {
    // Prefer the package named like the project when there is one.
    return flat.includes(guess) ? [guess] : flat;
  }
  if (guess && await isFile(join(dir, `${guess}.py`))) return [guess];
  return guess ? [guess] : [];
}
