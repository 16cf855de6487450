/**
 * `wrknv export --format repos|gitmodules`.
 *
 * @module
 */
import { relative } from "node:path";
import { exportManifest } from "../config/export.ts";
import type { Context } from "./context.ts";

/** Run `wrknv export`. */
export async function exportCommand(
  ctx: Context,
  flags: { format?: "repos" | "gitmodules" },
): Promise<number> {
  const format = flags.format ?? "repos";
  const ws = await ctx.workspace();
  // Paths relative to the directory holding wrknv.toml, where the file is meant to live.
  ctx.out(exportManifest(
    ws.siblings.map((s) => ({
      name: s.name,
      repo: s.repo,
      path: relative(ws.configDir, s.path),
      revision: s.revision,
    })),
    format,
  ));
  return 0;
}
