/**
 * The `wrknv init` wizard: a thin layer of prompts that gathers answers and
 * hands them to the pure `initWorkspace`. Ctrl-C at any point writes nothing
 * and exits 130.
 *
 * @module
 */
import { basename, resolve } from "node:path";
import { checkbox, confirm, input, select } from "@inquirer/prompts";
import { InterruptedError } from "../errors.ts";
import { CONFIG_FILE } from "../config/paths.ts";
import { checkRepoUrl } from "../config/url.ts";
import type { Installer } from "../config/types.ts";
import { initWorkspace, nameFromUrl, type SiblingAnswer } from "../ops/init.ts";
import type { Context } from "../cli/context.ts";
import { type InitFlags, writeInit } from "../cli/init.ts";
import { parseSpecifierSet } from "../python/pep.ts";

/** What the wizard needs to know. */
export interface WizardOptions {
  /** Where wrknv.toml goes. */
  target: string;
  /** Whether one is there already. */
  exists: boolean;
  /** Flags given on the command line, used as defaults. */
  flags: InitFlags;
}

function interrupted(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "ExitPromptError" || error.name === "AbortPromptError");
}

/**
 * Ask, preview, confirm, write. Returns false when the user declined.
 *
 * @throws {InterruptedError} on Ctrl-C (nothing written)
 */
export async function runWizard(ctx: Context, options: WizardOptions): Promise<boolean> {
  try {
    return await ask(ctx, options);
  } catch (error) {
    if (interrupted(error)) throw new InterruptedError("init cancelled; nothing was written");
    throw error;
  }
}

async function ask(ctx: Context, options: WizardOptions): Promise<boolean> {
  const s = ctx.style;
  const { flags } = options;
  if (options.exists) {
    const overwrite = await confirm({
      message: `${CONFIG_FILE} already exists here. Replace it?`,
      default: false,
    });
    if (!overwrite) {
      ctx.out("left it as it is\n");
      return false;
    }
  }
  const name = await input({ message: "Workspace name", default: flags.name ?? basename(ctx.cwd) });
  const root = await input({
    message: "Where do the sibling repositories live (relative to this directory)?",
    default: flags.root ?? "..",
  });

  const { discoverRepos } = await import("../ops/discover.ts");
  const { propose } = await import("../ops/init_defaults.ts");
  const found = await discoverRepos(resolve(ctx.cwd, root), { exclude: [ctx.cwd] });
  const withOrigin = found.filter((d) => d.origin);
  let chosen: typeof found = [];
  if (withOrigin.length) {
    chosen = await checkbox({
      message: `Found ${withOrigin.length} git ${
        withOrigin.length === 1 ? "repository" : "repositories"
      } in ${root}; which are siblings?`,
      choices: withOrigin.map((d) => ({
        name: `${d.name}  ${s.dim(d.origin!)}`,
        value: d,
        checked: true,
      })),
      pageSize: 15,
    });
  } else {
    ctx.out(s.dim(`no git repositories with an origin under ${root}\n`));
  }
  const siblings: SiblingAnswer[] = chosen.map((d) => ({
    repo: d.origin!,
    name: d.name,
    path: d.path,
  }));
  const names = new Set(siblings.map((x) => x.name!));
  while (true) {
    const url = await input({
      message: "Add a sibling by URL (empty to finish)",
      validate: (value) => {
        const v = value.trim();
        if (v === "") return true;
        const check = checkRepoUrl(v);
        if ("error" in check) return `This URL ${check.error}`;
        const n = nameFromUrl(v);
        if (!n) return "Cannot derive a name from this URL";
        if (names.has(n)) return `A sibling named "${n}" is already in the list`;
        return true;
      },
    });
    if (url.trim() === "") break;
    const n = nameFromUrl(url.trim());
    names.add(n);
    siblings.push({ repo: url.trim(), name: n });
  }

  const proposals = propose(chosen);
  let defaultPython = flags.python ?? proposals.python;
  if (!defaultPython) {
    const { probeInterpreter } = await import("../python/venv.ts");
    const { which } = await import("../proc/mod.ts");
    const p = await which("python3");
    const it = p ? await probeInterpreter(p, "python3") : null;
    defaultPython = it ? `>=${it.version.split(".").slice(0, 2).join(".")}` : ">=3.11";
  }
  const python = await input({
    message: "Python version the shared venv needs",
    default: defaultPython,
    validate: (v) => {
      try {
        parseSpecifierSet(v);
        return true;
      } catch (error) {
        return `Not a version specifier: ${(error as Error).message}`;
      }
    },
  });
  const venv = await input({
    message: "Where the shared venv goes",
    default: flags.venv ?? ".venv",
  });
  const installer = await select<Installer>({
    message: "Installer",
    choices: [
      { name: "auto: uv when it is on PATH, else pip", value: "auto" },
      { name: "uv", value: "uv" },
      { name: "pip", value: "pip" },
    ],
    default: (flags.installer as Installer | undefined) ?? "auto",
  });
  let extras: string[] = [];
  if (proposals.commonExtras.length) {
    extras = await checkbox({
      message: "Extras to install with every sibling",
      choices: proposals.commonExtras.map((e) => ({ name: e, value: e, checked: e === "dev" })),
    });
  }
  let layers: string[] = [];
  if (proposals.levels.length > 1) {
    const preview = proposals.levels.map((l, i) => `${i + 1}: ${l.join(", ")}`).join("\n  ");
    const use = await confirm({
      message:
        `The dependencies fall into ${proposals.levels.length} levels:\n  ${preview}\nName them as layers?`,
      default: false,
    });
    if (use) {
      for (const [i, level] of proposals.levels.entries()) {
        const layer = await input({
          message: `Name of level ${i + 1} (${level.join(", ")})`,
          default: i === 0 ? "foundation" : `layer${i + 1}`,
          validate: (v) =>
            /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) && !layers.includes(v)
              ? true
              : "A new name, letters, digits, . _ -",
        });
        layers.push(layer);
        for (const n of level) {
          const sib = siblings.find((x) => x.name === n);
          if (sib) sib.layer = layer;
        }
      }
    } else layers = [];
  }

  const result = initWorkspace(ctx.cwd, {
    name,
    root,
    siblings,
    layers,
    python: { version: python, venv, installer, extras },
  });
  ctx.out(`\n${s.dim("─".repeat(60))}\n${result.text}${s.dim("─".repeat(60))}\n`);
  const ok = await confirm({ message: `Write ${CONFIG_FILE}?`, default: true });
  if (!ok) {
    ctx.out("nothing written\n");
    return false;
  }
  await writeInit(result.path, result.text);
  ctx.out(`wrote ${CONFIG_FILE}; next: ${s.bold("wrknv up")}\n`);
  return true;
}
