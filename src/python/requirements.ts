/**
 * Whether what a venv holds satisfies what its distributions require: the
 * question `pip check` answers, asked from the workspace's siblings down,
 * extras included (`pip check` looks at base requirements only, so a
 * sibling asking for `core[all]` while `all`'s dependencies are missing
 * passes it). Pure: the installed metadata comes in, unmet requirements go
 * out.
 *
 * @module
 */
import { satisfies } from "./pep440.ts";
import { evaluateMarker, type MarkerEnv, normalizeName, parseRequirement } from "./pep508.ts";
import type { Requirement } from "./pep508.ts";

/** An installed distribution, as far as this check needs it. */
export interface InstalledMetadata {
  /** `Name` as in its metadata. */
  name: string;
  /** `Version`. */
  version: string;
  /** `Requires-Dist` strings. */
  requires: readonly string[];
  /** `Provides-Extra`. */
  extras: readonly string[];
}

/** Where the walk starts: a sibling's distribution and the extras it was installed with. */
export interface Root {
  /** PEP 503 normalized distribution name. */
  dist: string;
  /** Extras, as the distribution spells them. */
  extras: readonly string[];
}

/** One requirement the venv does not satisfy. */
export interface Unmet {
  /** How: nothing of that name, a version outside the specifier, an extra the target lacks. */
  kind: "missing" | "version" | "no-extra";
  /** The distribution that requires it (normalized name). */
  by: string;
  /** The extra of `by` the requirement belongs to, when it is not a base requirement. */
  extra?: string;
  /** The requirement. */
  requirement: Requirement;
  /** Its text, as in the metadata. */
  text: string;
  /** The version installed, for `version` (and `no-extra`). */
  found?: string;
  /** For `no-extra`: the extra that is not there. */
  missingExtra?: string;
  /**
   * The root reached first (in the order given) whose requirements lead
   * here; undefined for a distribution no root needs (the rest of the venv,
   * checked as `pip check` does).
   */
  root?: string;
  /** For an extra's requirement: who asked for `by[extra]`. */
  askedBy?: string;
}

/** What {@link checkRequirements} found. */
export interface RequirementsReport {
  /** Every unmet requirement, each once, roots' own first. */
  unmet: Unmet[];
  /** By root: how many of its own requirements applied and were checked. */
  direct: Map<string, number>;
}

interface Item {
  dist: string;
  extra: string;
  root?: string;
  askedBy?: string;
}

function applies(marker: string | undefined, env: MarkerEnv, extra: string): boolean {
  if (!marker) return extra === "";
  try {
    const withExtra = evaluateMarker(marker, { ...env, extra });
    if (extra === "") return withExtra;
    return withExtra && !evaluateMarker(marker, { ...env, extra: "" });
  } catch {
    return extra === ""; // a marker that cannot be read does not exclude
  }
}

function holds(version: string, specifier: string): boolean {
  try {
    return satisfies(version, specifier);
  } catch {
    return true; // a specifier that cannot be read is not held against the venv
  }
}

/**
 * Walk the requirements from each root (its base requirements and those of
 * its extras), then from every other distribution's base requirements, with
 * markers evaluated against `env` (the venv's interpreter). A requirement
 * asking for extras makes the walk follow those extras of its target.
 * Pre-releases count as matching, as `pip check` counts them.
 */
export function checkRequirements(
  dists: ReadonlyMap<string, InstalledMetadata>,
  roots: readonly Root[],
  env: MarkerEnv,
): RequirementsReport {
  const seen = new Set<string>();
  const queue: Item[] = [];
  const push = (item: Item) => {
    const key = `${item.dist}\0${normalizeName(item.extra)}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(item);
  };
  for (const r of roots) {
    push({ dist: r.dist, extra: "", root: r.dist });
    for (const e of r.extras) push({ dist: r.dist, extra: e, root: r.dist });
  }
  const rootSet = new Set(roots.map((r) => r.dist));
  const direct = new Map<string, number>();
  const unmet: Unmet[] = [];
  const told = new Set<string>();
  const tell = (u: Unmet) => {
    const key = [u.kind, u.by, u.text, u.missingExtra ?? ""].join("\0");
    if (!told.has(key)) {
      told.add(key);
      unmet.push(u);
    }
  };
  const walk = () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const d = dists.get(item.dist);
      if (!d) continue;
      for (const text of d.requires) {
        let req: Requirement;
        try {
          req = parseRequirement(text);
        } catch {
          continue; // metadata pip would not read either
        }
        if (!applies(req.marker, env, item.extra)) continue;
        if (rootSet.has(item.dist) && item.root === item.dist) {
          direct.set(item.dist, (direct.get(item.dist) ?? 0) + 1);
        }
        const base = {
          by: item.dist,
          ...(item.extra ? { extra: item.extra } : {}),
          requirement: req,
          text,
          ...(item.root !== undefined ? { root: item.root } : {}),
          ...(item.askedBy !== undefined ? { askedBy: item.askedBy } : {}),
        };
        const target = dists.get(req.normalized);
        if (!target) {
          tell({ kind: "missing", ...base });
          continue;
        }
        if (req.specifier && !holds(target.version, req.specifier)) {
          tell({ kind: "version", found: target.version, ...base });
        }
        push({ dist: req.normalized, extra: "", root: item.root });
        const offered = new Map(target.extras.map((e) => [normalizeName(e), e]));
        for (const x of req.extras) {
          const own = offered.get(normalizeName(x));
          if (own === undefined) {
            tell({ kind: "no-extra", found: target.version, missingExtra: x, ...base });
          } else push({ dist: req.normalized, extra: own, root: item.root, askedBy: item.dist });
        }
      }
    }
  };
  walk();
  for (const name of [...dists.keys()].sort()) push({ dist: name, extra: "" });
  walk();
  return { unmet, direct };
}

/**
 * Which of `requirements` (PEP 508 strings) the venv does not satisfy:
 * those whose marker applies to `env` and whose distribution is missing
 * or outside the specifier. A string that cannot be read counts as unmet.
 */
export function unsatisfiedRequirements(
  requirements: readonly string[],
  dists: ReadonlyMap<string, Pick<InstalledMetadata, "version">>,
  env: MarkerEnv,
): string[] {
  return requirements.filter((text) => {
    let req: Requirement;
    try {
      req = parseRequirement(text);
    } catch {
      return true;
    }
    if (!applies(req.marker, env, "")) return false;
    const d = dists.get(req.normalized);
    return d === undefined || (req.specifier !== "" && !holds(d.version, req.specifier));
  });
}
