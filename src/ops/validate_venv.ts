/**
 * validate's checks of the venv's contents, per sibling, from one probe of
 * the venv (src/python/probe.ts): `venv.installed` (editable from its own
 * path), `python` (requires-python against the venv's interpreter),
 * `requirements` (every requirement, sibling or external, met by what is
 * installed, extras followed) and `imports` (the sibling's real modules,
 * namespace packages expanded, a missing dependency named). Pure but for
 * one `lstat` (is a clone shallow) per version conflict.
 *
 * @module
 */
import { shellQuote as shq } from "../text.ts";
import { join } from "node:path";
import type { Sibling, Workspace } from "../config/types.ts";
import { exists } from "../fs.ts";
import { formatRequirement, normalizeName, type Requirement, satisfies } from "../python/pep.ts";
import type { ProbedDist, ProbeResult } from "../python/probe.ts";
import { checkRequirements, type Unmet } from "../python/requirements.ts";
import { venvPython } from "../python/venv.ts";
import type { Check, CheckStatus } from "./check.ts";

/** An installable sibling as validate read it. */
export interface SiblingPython {
  /** The sibling. */
  sibling: Sibling;
  /** `[project].name`, when its files say. */
  project: string | null;
  /** `requires-python` from its files, when they say. */
  requiresPython?: string;
  /** The version its files declare, when they declare one (not dynamic). */
  version?: string;
  /** The tool that derives its version from git tags (setuptools-scm, hatch-vcs…), when one does. */
  scm?: string;
  /** What to import, and where those names came from. */
  imports: { names: string[]; source: "declared" | "layout" | "guess" | "none" | "config" };
  /** For `source: "none"`: the setting that says it ships no modules. */
  setting?: string;
}

/** Text from a venv's metadata, safe to print: no control characters. */
function clean(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, "?");
}

/** The distribution a sibling is installed as: by its project name, else editable from its path. */
function distOf(s: SiblingPython, dists: ReadonlyMap<string, ProbedDist>): ProbedDist | undefined {
  if (s.project) return dists.get(normalizeName(s.project));
  for (const d of dists.values()) if (d.editable && d.source === s.sibling.path) return d;
  return undefined;
}

/** True for a version a build backend makes up when git has no tag to go on (`0.1.dev1+g…`). */
function looksUntagged(version: string): boolean {
  return /^0(\.\d+)*\.dev\d+/.test(version) || /^0\.0\.0(\+|$)/.test(version);
}

function spec(r: Requirement): string {
  const extras = r.extras.length ? `[${r.extras.join(",")}]` : "";
  return `${r.name}${extras}${r.url ? ` @ ${r.url}` : r.specifier}`;
}

/**
 * Every check of the venv's contents for `siblings` (file order), given
 * what the probe found. `checks` receives them by sibling name; checks
 * about no sibling (the rest of the venv) are returned.
 */
export async function venvContentChecks(
  ws: Workspace,
  siblings: readonly SiblingPython[],
  probe: ProbeResult,
  checks: Map<string, Check[]>,
): Promise<Check[]> {
  const workspace: Check[] = [];
  const add = (s: Sibling, id: string, status: CheckStatus, message: string, hint?: string) =>
    checks.get(s.name)!.push({
      id,
      status,
      sibling: s.name,
      message,
      ...(hint ? { hint } : {}),
    });
  const python = venvPython(ws.python.venv);

  // Which distribution each sibling is, and which sibling each distribution is.
  const installed = new Map<string, ProbedDist>();
  const siblingOf = new Map<string, SiblingPython>();
  for (const s of siblings) {
    const d = distOf(s, probe.dists);
    if (d) {
      installed.set(s.sibling.name, d);
      if (!siblingOf.has(d.normalized)) siblingOf.set(d.normalized, s);
    }
  }

  // requires-python, before the install check: it explains a sibling setup left out.
  const pythonFails = new Set<string>();
  for (const s of siblings) {
    const d = installed.get(s.sibling.name);
    // The files first: they are what the next setup will read; the metadata for setup.py projects.
    const want = s.requiresPython ?? d?.requiresPython;
    if (want === undefined) continue;
    let ok = true;
    try {
      ok = satisfies(probe.python, want);
    } catch {
      ok = true; // unreadable: setup and pip decide
    }
    const name = s.project ?? s.sibling.name;
    if (ok) {
      add(
        s.sibling,
        "python",
        "ok",
        `requires Python ${clean(want)}: the venv has ${probe.python}`,
      );
    } else {
      pythonFails.add(s.sibling.name);
      add(
        s.sibling,
        "python",
        "error",
        `${s.sibling.name} requires Python ${
          clean(want)
        }, but the venv has Python ${probe.python} (workspace.python.version is "${ws.python.version}")`,
        `set workspace.python.version in wrknv.toml to a version that satisfies ${
          clean(want)
        }, then run: wrknv setup --recreate (or relax requires-python in ${name}'s ${
          join(s.sibling.path, "pyproject.toml")
        })`,
      );
    }
  }

  // Installed, editable, from its own path.
  for (const s of siblings) {
    const d = installed.get(s.sibling.name);
    const label = s.project ?? s.sibling.name;
    if (!d) {
      add(
        s.sibling,
        "venv.installed",
        "error",
        s.project
          ? `${s.project} is not installed in the venv`
          : `nothing is installed editable from ${s.sibling.path}`,
        pythonFails.has(s.sibling.name)
          ? "it needs another Python: see its python check"
          : "run: wrknv setup",
      );
    } else if (!d.editable || d.source !== s.sibling.path) {
      add(
        s.sibling,
        "venv.installed",
        "error",
        d.editable
          ? `${label} is installed editable from ${d.source}, not from ${s.sibling.path}`
          : `${label} ${clean(d.version)} is installed from ${
            d.source ?? "an index"
          }, not editable from ${s.sibling.path}`,
        "run: wrknv setup --force",
      );
    } else {
      add(s.sibling, "venv.installed", "ok", `${label} ${clean(d.version)} editable from its path`);
    }
  }

  // Requirements, from each sibling's distribution down, extras followed.
  const wanted = new Set(ws.python.extras.map(normalizeName));
  const roots = siblings.flatMap((s) => {
    const d = installed.get(s.sibling.name);
    return d
      ? [{ dist: d.normalized, extras: d.extras.filter((e) => wanted.has(normalizeName(e))) }]
      : [];
  });
  const report = checkRequirements(probe.dists, roots, probe.env);
  const problems = new Map<string, Unmet[]>();
  for (const u of report.unmet) {
    const owner = u.root !== undefined ? siblingOf.get(u.root)?.sibling.name : undefined;
    if (owner !== undefined) (problems.get(owner) ?? problems.set(owner, []).get(owner)!).push(u);
    else {
      workspace.push({
        id: "venv.requirements",
        status: u.kind === "no-extra" ? "warn" : "error",
        message: describe(u, probe, siblingOf),
        hint: u.kind === "missing" || u.kind === "version"
          ? `run: ${installCommand(python, probe)} ${
            shq(formatRequirement({ ...u.requirement, marker: undefined }))
          }`
          : undefined,
      });
    }
  }
  for (const s of siblings) {
    const d = installed.get(s.sibling.name);
    if (!d) continue;
    const mine = problems.get(s.sibling.name) ?? [];
    if (mine.length === 0) {
      const n = report.direct.get(d.normalized) ?? 0;
      add(
        s.sibling,
        "requirements",
        "ok",
        n === 0
          ? "no requirements"
          : `${n} ${n === 1 ? "requirement" : "requirements"} met, and theirs`,
      );
      continue;
    }
    for (const u of mine) {
      add(
        s.sibling,
        "requirements",
        u.kind === "no-extra" ? "warn" : "error",
        describe(u, probe, siblingOf),
        await fix(u, s, siblingOf),
      );
    }
  }
  // Imports: the sibling's real modules, namespace packages expanded.
  for (const s of siblings) {
    const d = installed.get(s.sibling.name);
    if (!d) continue;
    if (s.imports.names.length === 0) {
      add(
        s.sibling,
        "imports",
        "info",
        s.imports.source === "none"
          ? `declares no modules (${s.setting}): no import to check`
          : s.imports.source === "config"
          ? "import = [] in wrknv.toml: no import to check"
          : "no modules found: no import to check",
      );
      continue;
    }
    const requires = new Set(
      d.requires.map((r) => normalizeName(/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r)?.[1] ?? "")),
    );
    for (const o of probe.imports[s.sibling.name] ?? []) {
      const name = clean(o.name);
      if (o.error === null) {
        if (o.emptyNamespace) {
          add(
            s.sibling,
            "imports",
            "warn",
            `import ${name}: a namespace package with nothing from ${s.sibling.path} in it (${
              clean((o.paths ?? []).join(", ") || "no portions")
            })`,
            `name the modules to check in wrknv.toml: import = ["${name}.<module>"] for ${s.sibling.name}`,
          );
        } else add(s.sibling, "imports", "ok", `import ${name}`);
        continue;
      }
      const missing = o.error.missing;
      const own = missing !== undefined &&
        (missing === o.name || o.name.startsWith(`${missing}.`) ||
          missing.startsWith(`${o.name}.`));
      if (missing !== undefined && !own) {
        const top = clean(missing.split(".")[0]);
        add(
          s.sibling,
          "imports",
          "error",
          `import ${name}: it imports ${clean(missing)}, which is not installed (${
            clean(o.error.text)
          })`,
          requires.has(normalizeName(top))
            ? `${top} is one of ${s.project ?? s.sibling.name}'s requirements: run: wrknv setup`
            : `declare the distribution that provides ${top} in ${
              s.project ?? s.sibling.name
            }'s dependencies, then run: wrknv setup`,
        );
      } else {
        add(
          s.sibling,
          "imports",
          "error",
          `import ${name}: ${clean(o.error.text)}`,
          own && (s.imports.source === "guess" || s.imports.source === "layout")
            ? `${name} is a guess from its ${
              s.imports.source === "guess" ? "name" : "layout"
            }: name its modules in wrknv.toml (import = [...] for ${s.sibling.name}; [] for none)`
            : `run: ${shq(python)} -c "import ${name}"`,
        );
      }
    }
  }
  return workspace;
}

/** How to install into the venv by hand: its pip, or uv's pip where the venv has none (uv made it). */
function installCommand(python: string, probe: ProbeResult): string {
  return probe.dists.has("pip")
    ? `${shq(python)} -m pip install`
    : `uv pip install --python ${shq(python)}`;
}

function holdsSafe(version: string, specifier: string): boolean {
  try {
    return satisfies(version, specifier);
  } catch {
    return false;
  }
}

/** Who requires: a sibling by name, else the distribution with its version. */
function who(dist: string, probe: ProbeResult, siblingOf: Map<string, SiblingPython>): string {
  const s = siblingOf.get(dist);
  if (s) return s.sibling.name;
  const d = probe.dists.get(dist);
  return d ? `${clean(d.name)} ${clean(d.version)}` : dist;
}

function describe(u: Unmet, probe: ProbeResult, siblingOf: Map<string, SiblingPython>): string {
  const by = who(u.by, probe, siblingOf);
  const via = u.extra
    ? u.askedBy !== undefined && u.askedBy !== u.by
      ? `${by}[${clean(u.extra)}] (asked for by ${who(u.askedBy, probe, siblingOf)})`
      : `${by}'s extra ${clean(u.extra)}`
    : by;
  const root = u.root !== undefined && u.root !== u.by && u.askedBy === undefined
    ? ` (needed by ${who(u.root, probe, siblingOf)})`
    : "";
  const req = clean(spec(u.requirement));
  const target = siblingOf.get(u.requirement.normalized);
  const d = probe.dists.get(u.requirement.normalized);
  if (u.kind === "missing") return `${via}${root} requires ${req}, which is not installed`;
  if (u.kind === "no-extra") {
    return `${via}${root} requires ${req}, but ${
      target ? `sibling ${target.sibling.name}` : clean(d?.name ?? u.requirement.name)
    } has no extra ${clean(u.missingExtra!)}`;
  }
  const found = clean(u.found ?? "");
  return target
    ? `${via}${root} requires ${req}, but sibling ${target.sibling.name} is ${
      clean(d?.name ?? u.requirement.name)
    } ${found}`
    : `${via}${root} requires ${req}, but the venv has ${
      clean(d?.name ?? u.requirement.name)
    } ${found}`;
}

async function fix(
  u: Unmet,
  s: SiblingPython,
  siblingOf: Map<string, SiblingPython>,
): Promise<string> {
  const target = siblingOf.get(u.requirement.normalized);
  const by = siblingOf.get(u.by);
  const relax = by
    ? `relax ${by.sibling.name}'s requirement on ${u.requirement.name} (${
      join(by.sibling.path, "pyproject.toml")
    })`
    : `relax what ${s.sibling.name} requires`;
  if (u.kind === "no-extra") {
    return target
      ? `add the extra ${u.missingExtra} to ${target.sibling.name}, or ${relax}`
      : `check the extra's name, or ${relax}`;
  }
  if (u.kind === "missing") {
    return target
      ? `run: wrknv setup (sibling ${target.sibling.name} is not installed)`
      : "run: wrknv setup";
  }
  if (!target) return `run: wrknv setup (it installs what the siblings require), or ${relax}`;
  const path = shq(target.sibling.path);
  const want = u.requirement.specifier;
  if (
    target.version !== undefined && target.version !== u.found && holdsSafe(target.version, want)
  ) {
    return `${target.sibling.name}'s pyproject.toml says ${target.version}, but ${u.found} is installed: run: wrknv setup`;
  }
  if (
    (target.scm !== undefined || looksUntagged(u.found ?? "")) &&
    await exists(join(target.sibling.path, ".git", "shallow"))
  ) {
    const fetch = `run git -C ${path} fetch --unshallow --tags, then wrknv setup --force`;
    return target.scm !== undefined
      ? `${target.sibling.name}'s version comes from git tags (${target.scm}), and its shallow clone has none to go on, so it installed as ${u.found}: ${fetch}`
      : `${target.sibling.name} is a shallow clone and ${u.found} is what a version from git tags becomes without its tags: ${fetch}`;
  }
  return `update ${target.sibling.name} to a version that satisfies ${want}: git -C ${path} pull, then wrknv setup; or ${relax}`;
}
