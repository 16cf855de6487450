/**
 * `wrknv demo`: build the embedded example workspace (four Python packages
 * in three layers, as local bare repositories) and bring it up offline.
 *
 * @module
 */
import { join } from "node:path";
import { WrknvError } from "../errors.ts";
import { parseConfig } from "../config/load.ts";
import { renderConfig } from "../config/render.ts";
import type { Workspace } from "../config/types.ts";
import * as git from "../git/mod.ts";
import { DEMO_LAYERS, DEMO_PACKAGES } from "./demo_data.ts";

const AUTHOR = {
  GIT_AUTHOR_NAME: "wrknv demo",
  GIT_AUTHOR_EMAIL: "demo@wrknv.invalid",
  GIT_COMMITTER_NAME: "wrknv demo",
  GIT_COMMITTER_EMAIL: "demo@wrknv.invalid",
};

async function gitIn(cwd: string, args: string[]): Promise<void> {
  try {
    await git.runInOwnRepo(cwd, args, AUTHOR);
  } catch (error) {
    if (!(error instanceof git.GitError)) throw error;
    throw new WrknvError(`${error.message} while building the demo`, { cause: error });
  }
}

/** Where the demo's parts are. */
export interface DemoLayout {
  /** The directory holding everything. */
  dir: string;
  /** The bare repositories. */
  remotes: string;
  /** The meta-repository, holding wrknv.toml. */
  meta: string;
  /** The loaded workspace. */
  workspace: Workspace;
}

/**
 * Write the demo's bare repositories and its meta-repository under `dir`
 * (which must be empty or missing).
 */
export async function buildDemo(dir: string): Promise<DemoLayout> {
  const remotes = join(dir, "remotes");
  const meta = join(dir, "workspace", "demo");
  await Deno.mkdir(remotes, { recursive: true });
  await Deno.mkdir(meta, { recursive: true });
  await Promise.all(DEMO_PACKAGES.map(async (pkg) => {
    const work = join(remotes, `${pkg.name}.work`);
    await Deno.mkdir(work);
    for (const [path, text] of Object.entries(pkg.files)) {
      await Deno.mkdir(join(work, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(work, path), text);
    }
    await gitIn(work, ["init", "--quiet", "--initial-branch=main"]);
    await gitIn(work, ["add", "--all"]);
    await gitIn(work, ["commit", "--quiet", "-m", `${pkg.name}: first version`]);
    await gitIn(remotes, ["clone", "--quiet", "--bare", "--", work, `${pkg.name}.git`]);
    await Deno.remove(work, { recursive: true });
  }));
  const text = renderConfig({
    name: "demo",
    root: "..",
    layers: DEMO_LAYERS,
    python: { version: ">=3.8", venv: ".venv", installer: "auto", extras: ["dev"] },
    siblings: DEMO_PACKAGES.map((p) => ({
      name: p.name,
      repo: `file://${join(remotes, `${p.name}.git`)}`,
      layer: p.layer,
    })),
  });
  const configPath = join(meta, "wrknv.toml");
  await Deno.writeTextFile(configPath, text);
  return { dir, remotes, meta, workspace: parseConfig(text, configPath) };
}
