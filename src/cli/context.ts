/**
 * What every command gets: the global options, resolved once, and the output
 * helpers that honour them.
 *
 * @module
 */
import { resolve } from "node:path";
import { runtime } from "../runtime.ts";
import { makeStyle, type Style } from "../ui/style.ts";
import type { Workspace } from "../config/types.ts";

/** The global options as the parser (args.ts) gives them. */
export interface GlobalOptions {
  /** `-C <dir>` */
  directory?: string;
  /** `--config <file>` */
  config?: string;
  /** `--json` */
  json?: boolean;
  /** `-q` */
  quiet?: boolean;
  /** `-v` */
  verbose?: boolean;
  /** false with `--no-color` */
  color?: boolean;
}

/** The resolved global state a command runs with. */
export interface Context {
  /** The working directory (after -C). */
  cwd: string;
  /** An explicit config file. */
  config?: string;
  /** Print one JSON document on stdout. */
  json: boolean;
  /** Less output. */
  quiet: boolean;
  /** More output, and stack traces. */
  verbose: boolean;
  /** Colours for stdout. */
  style: Style;
  /** Colours for stderr. */
  errStyle: Style;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
  /** Write to stdout. */
  out(text: string): void;
  /** Write to stderr. */
  err(text: string): void;
  /** Load the workspace (cached for the run). */
  workspace(): Promise<Workspace>;
}

/** Build the context from the global options. */
export function makeContext(options: GlobalOptions, signal: AbortSignal): Context {
  const colorAllowed = options.color !== false && runtime.env("NO_COLOR") === undefined;
  const cwd = resolve(Deno.cwd(), options.directory ?? ".");
  let cached: Promise<Workspace> | undefined;
  return {
    cwd,
    config: options.config,
    json: options.json ?? false,
    quiet: options.quiet ?? false,
    verbose: options.verbose ?? false,
    style: makeStyle(colorAllowed && runtime.stdoutIsTerminal()),
    errStyle: makeStyle(colorAllowed && runtime.stderrIsTerminal()),
    signal,
    out: (text) => runtime.writeOut(text),
    err: (text) => runtime.writeErr(text),
    workspace() {
      cached ??= import("../config/mod.ts").then((m) =>
        m.loadWorkspace({ cwd, config: options.config })
      );
      return cached;
    },
  };
}

/** Print a value as the one JSON document on stdout. */
export function printJson(ctx: Context, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2) + "\n");
}
