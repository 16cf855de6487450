/**
 * What every command gets: the global options, resolved once, and the output
 * helpers that honour them.
 *
 * @module
 */
import { resolve } from "node:path";
import { runtime } from "../runtime.ts";
import { makeStyle, type Style } from "../ui/style.ts";
import { type Progress, progressReporter, silentProgress } from "../ui/progress.ts";
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

/** How much a run prints, decided once from `--json` and `-q`. */
export type OutputMode = "human" | "quiet" | "json";

/**
 * The one output path of a command. It knows the mode and the colours, and
 * each method prints or not by them, so a command says what a line is and
 * never asks whether to print it.
 */
export interface Printer {
  /** `json` with --json, else `quiet` with -q, else `human`. */
  readonly mode: OutputMode;
  /** Colours for stdout (none when it is not a terminal, or with --no-color or NO_COLOR). */
  readonly style: Style;
  /** Colours for stderr. */
  readonly errStyle: Style;
  /** The result, for people, on stdout: what a quiet run still shows (not with --json). */
  result(text: string): void;
  /** More about the result, on stdout: the human mode only. */
  detail(text: string): void;
  /** A note beside the result, on stderr: the human mode only. */
  note(text: string): void;
  /** A warning or an error line, on stderr: always. */
  warn(text: string): void;
  /** The run's one JSON document, on stdout: with --json only; says whether it printed. */
  json(value: () => unknown): boolean;
  /** Text that is the output in every mode (a generated file; a child's own output), on stdout. */
  raw(text: string): void;
  /** A child's own standard error, passed on. */
  rawErr(text: string): void;
}

/** The resolved global state a command runs with. */
export interface Context {
  /** The working directory (after -C). */
  cwd: string;
  /** An explicit config file. */
  config?: string;
  /** More output, and stack traces. */
  verbose: boolean;
  /** Everything the command prints goes through it. */
  printer: Printer;
  /** Colours for stdout (the printer's). */
  style: Style;
  /** Colours for stderr (the printer's). */
  errStyle: Style;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
  /** Load the workspace (cached for the run). */
  workspace(): Promise<Workspace>;
}

/** A printer for `mode`, writing through the runtime. */
export function makePrinter(mode: OutputMode, style: Style, errStyle: Style): Printer {
  const out = (text: string) => runtime.writeOut(text);
  const err = (text: string) => runtime.writeErr(text);
  const none = () => {};
  return {
    mode,
    style,
    errStyle,
    result: mode === "json" ? none : out,
    detail: mode === "human" ? out : none,
    note: mode === "human" ? err : none,
    warn: err,
    json(value) {
      if (mode !== "json") return false;
      out(JSON.stringify(value(), null, 2) + "\n");
      return true;
    },
    raw: out,
    rawErr: err,
  };
}

/** Build the context from the global options. */
export function makeContext(options: GlobalOptions, signal: AbortSignal): Context {
  const colorAllowed = options.color !== false && runtime.env("NO_COLOR") === undefined;
  const cwd = resolve(Deno.cwd(), options.directory ?? ".");
  let cached: Promise<Workspace> | undefined;
  const printer = makePrinter(
    options.json ? "json" : options.quiet ? "quiet" : "human",
    makeStyle(colorAllowed && runtime.stdoutIsTerminal()),
    makeStyle(colorAllowed && runtime.stderrIsTerminal()),
  );
  return {
    cwd,
    config: options.config,
    verbose: options.verbose ?? false,
    printer,
    style: printer.style,
    errStyle: printer.errStyle,
    signal,
    workspace() {
      cached ??= import("../config/mod.ts").then((m) =>
        m.loadWorkspace({ cwd, config: options.config })
      );
      return cached;
    },
  };
}

/**
 * The progress display of a long operation, by the printer's mode: none
 * with --json, the count alone with -q, a live line on a terminal.
 */
export function progressFor(
  ctx: Context,
  total: number,
  verb: string,
  quietStatuses: string[],
): Progress {
  if (ctx.printer.mode === "json") return silentProgress();
  return progressReporter({
    total,
    verb,
    live: runtime.stderrIsTerminal(),
    quiet: ctx.printer.mode === "quiet",
    style: ctx.errStyle,
    quietStatuses,
  });
}

/** `ctx` printing only what a quiet run prints (what went wrong, and results), unless JSON. */
export function quieter(ctx: Context): Context {
  if (ctx.printer.mode !== "human") return ctx;
  return { ...ctx, printer: makePrinter("quiet", ctx.style, ctx.errStyle) };
}
