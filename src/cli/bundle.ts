/**
 * `wrknv bundle OUT` and `wrknv cache info|prune`.
 *
 * @module
 */
import { relative } from "node:path";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Run `wrknv bundle`. */
export async function bundleCommand(
  ctx: Context,
  flags: { archive?: boolean },
  out: string,
): Promise<ExitStatus> {
  const ws = await ctx.workspace();
  const { makeBundle } = await import("../ops/bundle.ts");
  const { resolve } = await import("node:path");
  const r = await makeBundle(ws, resolve(ctx.cwd, out), {
    archive: flags.archive,
    signal: ctx.signal,
  });
  if (
    ctx.printer.json(() => ({
      ok: true,
      out: r.out,
      archive: r.archive ?? null,
      siblings: r.lock,
      wheels: r.wheels,
      missing: r.missing,
      omitted: r.omitted,
      sizes: r.sizes,
    }))
  ) return ExitCode.ok;
  const s = ctx.style;
  ctx.printer.result(`bundle written to ${relative(ctx.cwd, r.out) || "."}\n`);
  ctx.printer.result(`  repos   ${String(r.lock.length).padStart(4)}  ${size(r.sizes.repos)}\n`);
  ctx.printer.result(`  wheels  ${String(r.wheels.length).padStart(4)}  ${size(r.sizes.wheels)}\n`);
  ctx.printer.result(`  total         ${size(r.sizes.total)}\n`);
  if (r.archive) ctx.printer.result(`  archive ${relative(ctx.cwd, r.archive)}\n`);
  for (const m of r.missing) ctx.printer.result(s.yellow(`  not included: ${m}\n`));
  for (const o of r.omitted) {
    const shown = o.refs.slice(0, 4).join(", ") +
      (o.refs.length > 4 ? ` and ${o.refs.length - 4} more` : "");
    ctx.printer.result(
      s.dim(`  left out of ${o.sibling} (only what the lock needs is packed): ${shown}\n`),
    );
  }
  const { shellQuote } = await import("../text.ts");
  ctx.printer.result(s.dim(`on the offline machine: wrknv up --from ${shellQuote(out)}\n`));
  return ExitCode.ok;
}

/** Run `wrknv cache info|prune`. */
export async function cacheCommand(
  ctx: Context,
  flags: { olderThan?: number; all?: boolean },
  action: "info" | "prune",
): Promise<ExitStatus> {
  const cache = await import("../ops/cache.ts");
  const day = (d: Date | null) => d ? d.toISOString().slice(0, 16).replace("T", " ") : "never";
  if (action === "info") {
    const mirrors = await cache.cacheInfo();
    const ours = mirrors.filter((m) => m.ours);
    const total = ours.reduce((n, m) => n + m.bytes, 0);
    if (
      ctx.printer.json(() => ({
        dir: cache.cacheDir(),
        bytes: total,
        mirrors: mirrors.map((m) => ({
          path: m.path,
          url: m.url,
          bytes: m.bytes,
          updated: m.updated,
          last_used: m.lastUsed,
          ours: m.ours,
          ...(m.legacy ? { legacy: true } : {}),
        })),
      }))
    ) return ExitCode.ok;
    ctx.printer.result(`cache ${cache.cacheDir()}: ${ours.length} mirrors, ${size(total)}\n`);
    for (const m of mirrors) {
      const note = !m.ours
        ? "not made by wrknv; left alone"
        : m.legacy
        ? "made by an older wrknv; no longer used (wrknv cache prune removes it)"
        : `updated ${day(m.updated)} UTC`;
      ctx.printer.result(
        `  ${(m.url ?? "?").padEnd(50)} ${size(m.bytes).padStart(10)}  ${ctx.style.dim(note)}\n`,
      );
    }
    return ExitCode.ok;
  }
  {
    const days = flags.all ? 0 : flags.olderThan ?? 30;
    const { removed, notOurs } = await cache.pruneCache(days);
    const freed = removed.reduce((n, m) => n + m.bytes, 0);
    const printed = ctx.printer.json(() => ({
      removed: removed.map((m) => m.path),
      bytes: freed,
      left_alone: notOurs.map((m) => m.path),
    }));
    if (!printed) {
      ctx.printer.result(`removed ${removed.length} mirrors, ${size(freed)} freed\n`);
      for (const m of notOurs) {
        ctx.printer.result(ctx.style.dim(`  left ${m.path} alone: wrknv did not make it\n`));
      }
    }
    return ExitCode.ok;
  }
}
