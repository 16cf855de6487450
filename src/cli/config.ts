/**
 * `wrknv config`: print the resolved workspace.
 *
 * @module
 */
import { relative } from "node:path";
import type { Workspace } from "../config/types.ts";
import { renderTable } from "../ui/style.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** The JSON shape of `wrknv config --json`. */
export function workspaceJson(ws: Workspace): Record<string, unknown> {
  return {
    workspace: {
      name: ws.name,
      config: ws.configPath,
      dir: ws.configDir,
      root: ws.root,
      layers: ws.layers,
      inactive_groups: ws.inactiveGroups,
      python: ws.python,
      hooks: { pre_install: ws.hooks.preInstall, post_install: ws.hooks.postInstall },
    },
    siblings: ws.siblings.map((s) => ({
      name: s.name,
      path: s.path,
      repo: s.repo,
      revision: s.revision ?? null,
      depth: s.depth ?? null,
      within: s.within ?? null,
      layer: s.layer ?? null,
      depends_on: s.dependsOn,
      groups: s.groups,
      install: s.install,
      import: s.imports ?? null,
    })),
  };
}

/** Run `wrknv config`. */
export async function configCommand(ctx: Context): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  if (ctx.printer.json(() => (workspaceJson(ws)))) return ExitCode.ok;
  const s = ctx.style;
  const rel = (p: string) => relative(ctx.cwd, p) || ".";
  const lines = [
    `${s.bold("workspace")} ${ws.name}  ${s.dim(rel(ws.configPath))}`,
    `root      ${rel(ws.root)}`,
    `python    ${ws.python.version}  venv ${
      rel(ws.python.venv)
    }  installer ${ws.python.installer}` +
    (ws.python.extras.length ? `  extras ${ws.python.extras.join(",")}` : ""),
  ];
  if (ws.layers.length) lines.push(`layers    ${ws.layers.join(" < ")}`);
  const hooks = ws.hooks.preInstall.length + ws.hooks.postInstall.length;
  if (hooks) lines.push(`hooks     ${hooks} (run only in a trusted workspace)`);
  ctx.printer.result(lines.join("\n") + "\n\n");
  if (ws.siblings.length === 0) {
    ctx.printer.result("no siblings yet (add one with `wrknv add URL`)\n");
    return ExitCode.ok;
  }
  const rows = [["NAME", "PATH", "LAYER", "REVISION", "REPO"].map((h) => s.dim(h))];
  for (const sib of ws.siblings) {
    const flags = sib.install ? "" : s.dim(" (no install)");
    rows.push([
      sib.name + flags,
      rel(sib.path),
      sib.layer ?? "-",
      sib.revision ?? "-",
      sib.repo,
    ]);
  }
  ctx.printer.result(renderTable(rows));
  return ExitCode.ok;
}
