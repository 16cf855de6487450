/**
 * `wrknv init`: the wizard in a terminal, or `--yes` with flags.
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { ConfigError, ExitCode, type ExitStatus, WrknvError } from "../errors.ts";
import { CONFIG_FILE, isInside } from "../config/paths.ts";
import { writeFileAtomic } from "../config/atomic.ts";
import type { Installer } from "../config/types.ts";
import { type InitAnswers, initWorkspace, type SiblingAnswer } from "../ops/init.ts";
import { runtime } from "../runtime.ts";
import { ignoreWorkspaceFiles } from "../ops/gitignore.ts";
import type { Context } from "./context.ts";

/** Flags of `wrknv init`. */
export interface InitFlags {
  yes?: boolean;
  name?: string;
  root?: string;
  discover?: boolean;
  sibling?: string[];
  from?: string;
  baseUrl?: string;
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

/** Run `wrknv init`. */
export async function initCommand(ctx: Context, flags: InitFlags): Promise<ExitStatus> {
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
  if (flags.python !== undefined) {
    const { readPythonSpec } = await import("../python/pep440.ts");
    const read = readPythonSpec(flags.python);
    if ("error" in read) throw new ConfigError(`--python: ${read.error}`);
    if (read.note) ctx.printer.note(`note: ${read.note}\n`);
    flags = { ...flags, python: read.spec };
  }
  if (!interactive) {
    if (exists && !flags.force) {
      throw new ConfigError(`${CONFIG_FILE} already exists here; pass --force to overwrite it`);
    }
    const siblings: SiblingAnswer[] = [];
    let proposals: { python?: string; commonExtras: string[] } = { commonExtras: [] };
    if (flags.discover) {
      const { discoverRepos } = await import("../ops/discover.ts");
      const { propose } = await import("../ops/init_defaults.ts");
      const found = await discoverRepos(resolve(ctx.cwd, flags.root ?? ".."), {
        exclude: [ctx.cwd],
      });
      proposals = propose(found);
      for (const d of found) {
        if (!d.origin) {
          ctx.printer.warn(
            `warning: ${d.name} has no origin remote; left out (add it with wrknv add URL)\n`,
          );
          continue;
        }
        siblings.push({ repo: d.origin, name: d.name, path: d.path });
      }
    }
    let root = flags.root ?? "..";
    let inactiveGroups: string[] = [];
    if (flags.baseUrl !== undefined && !flags.from) {
      throw new ConfigError(
        "--base-url is for --from: the URL that a manifest's relative URLs resolve against",
      );
    }
    if (flags.from) {
      const { importFrom, widenRoot } = await import("./init_from.ts");
      const from = await importFrom(flags.from, {
        cwd: ctx.cwd,
        root: resolve(ctx.cwd, root),
        baseUrl: flags.baseUrl,
      });
      for (const w of from.warnings) ctx.printer.warn(`warning: ${w}\n`);
      const paths = from.siblings.flatMap((s) => s.path ? [s.path] : []);
      const wider = widenRoot(root, paths, ctx.cwd);
      if (wider !== null) {
        if (flags.root !== undefined) {
          const rootAbs = resolve(ctx.cwd, root);
          const out = from.siblings.find((s) =>
            s.path !== undefined && (!isInside(s.path, rootAbs) || s.path === rootAbs)
          );
          throw new ConfigError(
            `${
              out?.at ?? flags.from
            }: lies outside --root ${flags.root}; leave --root out, or give one that holds ${
              relative(ctx.cwd, out?.path ?? "") || "."
            }`,
          );
        }
        ctx.printer.note(
          `note: root set to "${wider}" to hold the siblings of ${flags.from} (default ".." does not)\n`,
        );
        root = wider;
      }
      siblings.push(...from.siblings);
      inactiveGroups = from.inactiveGroups;
    }
    for (const s of flags.sibling ?? []) siblings.push(parseSiblingFlag(s));
    const answers: InitAnswers = {
      name: flags.name,
      root,
      siblings,
      inactiveGroups,
      layers: flags.layers,
      python: {
        version: flags.python ?? proposals.python ?? await interpreterSpec(),
        venv: flags.venv,
        installer: flags.installer,
        extras: flags.extras ?? proposals.commonExtras,
      },
    };
    let result: ReturnType<typeof initWorkspace>;
    try {
      result = initWorkspace(ctx.cwd, answers);
    } catch (error) {
      const { inManifestTerms } = await import("./init_from.ts");
      throw inManifestTerms(error, siblings);
    }
    await writeFileAtomic(result.path, result.text);
    const ignored = await ignoreWorkspaceFiles(result.workspace);
    const printed = ctx.printer.json(() => ({
      ok: true,
      path: result.path,
      siblings: result.workspace.siblings.map((s) => s.name),
      gitignore_added: ignored,
    }));
    if (!printed) {
      const n = result.workspace.siblings.length;
      const inactive = result.workspace.siblings.filter((s) =>
        s.groups.some((g) =>
          result.workspace.inactiveGroups.includes(g)
        )
      ).length;
      ctx.printer.detail(
        `wrote ${CONFIG_FILE} with ${n} sibling${n === 1 ? "" : "s"}${
          inactive
            ? ` (${inactive} in groups off by default: ${
              result.workspace.inactiveGroups.join(", ")
            })`
            : ""
        }\n`,
      );
      if (ignored.length) ctx.printer.detail(`added ${ignored.join(" and ")} to .gitignore\n`);
      ctx.printer.detail(ctx.style.dim("next: wrknv up\n"));
    }
    return ExitCode.ok;
  }
  const { runWizard } = await import("../ui/wizard.ts");
  const { discoverRepos } = await import("../ops/discover.ts");
  const { propose } = await import("../ops/init_defaults.ts");
  const answers = await runWizard({
    cwd: ctx.cwd,
    askReplace: exists && !flags.force,
    defaults: {
      name: flags.name,
      root: flags.root,
      python: flags.python,
      venv: flags.venv,
      installer: flags.installer,
    },
    discover: (root) => discoverRepos(root, { exclude: [ctx.cwd] }),
    propose,
    interpreterSpec,
    preview(a) {
      try {
        return { text: initWorkspace(ctx.cwd, a).text };
      } catch (error) {
        return { error: `error: ${(error as Error).message}` };
      }
    },
    dim: (t) => ctx.style.dim(t),
    out: (t) => ctx.printer.result(t),
  });
  if (!answers) return ExitCode.failed;
  const result = initWorkspace(ctx.cwd, answers);
  try {
    await writeFileAtomic(result.path, result.text);
  } catch (error) {
    throw new WrknvError(`could not write ${result.path}: ${(error as Error).message}`);
  }
  const ignored = await ignoreWorkspaceFiles(result.workspace);
  if (ignored.length) ctx.printer.result(`added ${ignored.join(" and ")} to .gitignore\n`);
  ctx.printer.result(`wrote ${CONFIG_FILE}; next: ${ctx.style.bold("wrknv up")}\n`);
  return ExitCode.ok;
}
