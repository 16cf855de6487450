/**
 * The pure half of `wrknv init`: answers in, wrknv.toml text out. The wizard
 * (src/ui/wizard.ts) and `init --yes` both only gather answers and call this.
 *
 * @module
 */
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { CONFIG_FILE, parseConfig } from "../config/load.ts";
import { type ConfigSpec, renderConfig, type SiblingSpec } from "../config/render.ts";
import type { Installer, Workspace } from "../config/types.ts";
import { checkRepoUrl } from "../config/url.ts";
import { nameFromUrl } from "../config/names.ts";

/** A sibling as answered: only the URL is needed. */
export interface SiblingAnswer {
  /** Clone URL. */
  repo: string;
  /** Name; default: from the URL (or the path). */
  name?: string;
  /** Where it lives: absolute, or relative to the workspace directory. */
  path?: string;
  /** Branch, tag or commit. */
  revision?: string;
  /** Shallow clone depth. */
  depth?: number;
  /** Layer. */
  layer?: string;
  /** Groups. */
  groups?: string[];
  /** False for a non-Python sibling. */
  install?: boolean;
  /** Where it came from (`west.yml:40: projects[12] (hal_nordic)`), for messages. */
  at?: string;
}

/** What the wizard asks, or the flags of `init --yes`. Everything has a default. */
export interface InitAnswers {
  /** Workspace name; default: the directory's name. */
  name?: string;
  /** Root, relative to the directory; default "..". */
  root?: string;
  /** Siblings, in order. */
  siblings?: SiblingAnswer[];
  /** Layers, bottom-up. */
  layers?: string[];
  /** Groups off by default. */
  inactiveGroups?: string[];
  /** Python settings. */
  python?: { version?: string; venv?: string; installer?: Installer; extras?: string[] };
}

/** What {@link initWorkspace} makes. */
export interface InitResult {
  /** Where the file goes. */
  path: string;
  /** Its text. */
  text: string;
  /** The workspace it loads as (proof that it loads with zero errors). */
  workspace: Workspace;
}

export { nameFromUrl } from "../config/names.ts";

/**
 * Turn answers into the text of wrknv.toml for a workspace in `cwd`, and load
 * that text to prove it is valid.
 *
 * @throws {ConfigError} when the answers do not make a valid workspace
 */
export function initWorkspace(cwd: string, answers: InitAnswers): InitResult {
  const dir = resolve(cwd);
  const root = answers.root ?? "..";
  const rootAbs = resolve(dir, root);
  const seen = new Set<string>();
  const siblings: SiblingSpec[] = (answers.siblings ?? []).map((s, i) => {
    const check = checkRepoUrl(s.repo);
    if ("error" in check) {
      throw new ConfigError(`${s.at ?? `sibling ${i + 1}`}: repository URL ${check.error}`);
    }
    const name = s.name ?? nameFromUrl(s.path ?? s.repo);
    if (!name) {
      throw new ConfigError(
        `${s.at ?? `sibling ${i + 1}`}: cannot derive a name from "${s.repo}"; give one`,
      );
    }
    if (seen.has(name)) {
      throw new ConfigError(
        `${s.at ?? `sibling ${i + 1}`}: two siblings are named "${name}"; give one another name`,
      );
    }
    seen.add(name);
    let path: string | undefined;
    if (s.path !== undefined) {
      const abs = isAbsolute(s.path) ? s.path : resolve(dir, s.path);
      path = abs === join(rootAbs, name) ? undefined : relative(dir, abs) || ".";
    }
    return {
      name,
      repo: s.repo,
      path,
      revision: s.revision,
      depth: s.depth,
      layer: s.layer,
      groups: s.groups,
      install: s.install,
    };
  });
  const spec: ConfigSpec = {
    name: answers.name ?? basename(dir),
    root,
    layers: answers.layers ?? [],
    inactiveGroups: answers.inactiveGroups,
    python: {
      version: answers.python?.version ?? ">=3.11",
      venv: answers.python?.venv ?? ".venv",
      installer: answers.python?.installer ?? "auto",
      extras: answers.python?.extras ?? [],
    },
    siblings,
  };
  const text = renderConfig(spec);
  const path = join(dir, CONFIG_FILE);
  const workspace = parseConfig(text, path);
  return { path, text, workspace };
}
