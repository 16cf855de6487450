/**
 * `wrknv export --format repos|gitmodules`.
 *
 * @module
 */
import { relative } from "node:path";
import { exportManifest } from "../config/export.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** Run `wrknv export`. */
export async function exportCommand(
  ctx: Context,
  flags: { format?: "repos" | "gitmodules" },
): Promise<ExitStatus> {
  const format = flags.format ?? "repos";
  const ws = await ctx.workspace();
  // Paths relative to the root: a superproject there takes them as submodule
  // paths, and `vcs import` run there clones them into place; `../x` is
  // refused by git ("outside repository") and by vcstool.
  ctx.printer.raw(exportManifest(
    ws.siblings.map((s) => ({
      name: s.name,
      repo: s.repo,
      path: relative(ws.root, s.path),
      revision: s.revision,
    })),
    format,
  ));
  return ExitCode.ok;
}
