/**
 * `wrknv init`: the wizard in a terminal, or `--yes` with flags.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, WrknvError } from "../errors.ts";
import { CONFIG_FILE } from "../config/paths.ts";
import { writeFileAtomic } from "../config/atomic.ts";
import type { Installer } from "../config/types.ts";
import { type InitAnswers, initWorkspace, type SiblingAnswer } from "../ops/init.ts";
import { runtime } from "../runtime.ts";
import { type Context, printJson } from "./context.ts";

/** Flags of `wrknv init`. */
export interface InitFlags {
  yes?: boolean;
  name?: string;
  root?: string;
  discover?: boolean;
  sibling?: string[];
  from?: string;
  python?: string;
  venv?: string;
  installer?: Installer;
  extras?: string[];
  layers?: string[];
  force?: boolean;
}

/** `URL=PATH` or `URL`. */
export function parseSiblingFlag(value: string): SiblingAnswer {
  const eq = value.lastIndexOf("=");
  if (eq > 0 && !value.slice(eq + 1).includes("://") && !value.slice(eq + 1).includes("?")) {
    return { repo: value.slice(0, eq), path: value.slice(eq + 1) };
  }
  return { repo: value };
}

/** The Python a new workspace asks for by default: the interpreter's minor version or newer. */
async function interpreterSpec(): Promise<string> {
  const { probeInterpreter } = await import("../python/venv.ts");
  const { which } = await import("../proc/mod.ts");
  const path = await which("python3");
  const it = path ? await probeInterpreter(path, "python3") : null;
  return it ? `>=${it.version.split(".").slice(0, 2).join(".")}` : ">=3.11";
}

/** Siblings from a manifest of another tool. */
async function fromManifest(file: string, cwd: string): Promise<SiblingAnswer[]> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new ConfigError(`--from ${file}: no such file`);
  }
  const { importManifest } = await import("../config/importers/mod.ts");
  // Relative URLs (.gitmodules' ../x.git, repo's fetch="..") resolve against the
  // URL of the repository that holds the manifest, when it has one.
  const { remoteUrl } = await import("../git/mod.ts");
  const baseUrl = (await remoteUrl(dirname(path)).catch(() => null)) ?? undefined;
  const result = importManifest(basename(path), text, { baseUrl });
  for (const w of result.warnings) runtime.writeErr(`warning: ${file}: ${w}\n`);
  // Paths are relative to the manifest's directory, or for west and repo to the
  // workspace's top directory, which the importer reports.
  const top = resolve(dirname(path), result.topDir ?? ".");
  return result.siblings.map((s) => ({
    repo: s.repo,
    name: s.name,
    path: s.path !== undefined ? resolve(top, s.path) : undefined,
    revision: s.revision,
    groups: s.groups,
  }));
}

/** Run `wrknv init`. */
export async function initCommand(ctx: Context, flags: InitFlags): Promise<number> {
  const target = join(ctx.cwd, CONFIG_FILE);
  let exists = false;
  try {
    await Deno.lstat(target);
    exists = true;
  } catch {
    exists = false;
  }
  const interactive = !flags.yes && runtime.stdinIsTerminal() && runtime.stdoutIsTerminal();
  if (!flags.yes && !interactive) {
    throw new ConfigError(
      "init needs a terminal for its questions; to run it non-interactively use --yes with flags, e.g. wrknv init --yes --discover --name NAME",
    );
  }
  if (!interactive) {
    if (exists && !flags.force) {
      throw new ConfigError(`${CONFIG_FILE} already exists here; pass --force to overwrite it`);
    }
    const root = flags.root ?? "..";
    const siblings: SiblingAnswer[] = [];
    let proposals: { python?: string; commonExtras: string[] } = { commonExtras: [] };
    if (flags.discover) {
      const { discoverRepos } = await import("../ops/discover.ts");
      const { propose } = await import("../ops/init_defaults.ts");
      const found = await discoverRepos(resolve(ctx.cwd, root), { exclude: [ctx.cwd] });
      proposals = propose(found);
      for (const d of found) {
        if (!d.origin) {
          runtime.writeErr(
            `warning: ${d.name} has no origin remote; left out (add it with wrknv add URL)\n`,
          );
          continue;
        }
        siblings.push({ repo: d.origin, name: d.name, path: d.path });
      }
    }
    if (flags.from) siblings.push(...await fromManifest(flags.from, ctx.cwd));
    for (const s of flags.sibling ?? []) siblings.push(parseSiblingFlag(s));
    const answers: InitAnswers = {
      name: flags.name,
      root,
      siblings,
      layers: flags.layers,
      python: {
        version: flags.python ?? proposals.python ?? await interpreterSpec(),
        venv: flags.venv,
        installer: flags.installer,
        extras: flags.extras ?? proposals.commonExtras,
      },
    };
    const result = initWorkspace(ctx.cwd, answers);
    await writeFileAtomic(result.path, result.text);
    if (ctx.json) {
      printJson(ctx, {
        ok: true,
        path: result.path,
        siblings: result.workspace.siblings.map((s) => s.name),
      });
    } else if (!ctx.quiet) {
      ctx.out(`wrote ${CONFIG_FILE} with ${result.workspace.siblings.length} siblings\n`);
      ctx.out(ctx.style.dim("next: wrknv up\n"));
    }
    return 0;
  }
  const { runWizard } = await import("../ui/wizard.ts");
  const written = await runWizard(ctx, { target, exists, flags });
  if (!written) return 1;
  return 0;
}

/** Shared by the wizard: write the result or say why not. */
export async function writeInit(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new WrknvError(`could not write ${path}: ${(error as Error).message}`);
  }
}
