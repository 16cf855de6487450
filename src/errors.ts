/**
 * Error types shared by every layer. Each carries the process exit code that
 * `main.ts` maps it to, so no layer below the CLI ever calls `Deno.exit`.
 *
 * @module
 */

import { printable } from "./text.ts";

/** Exit codes, as documented in the README. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** SIGHUP: 128 + 1. */
  hangup: 129,
  /** SIGINT (Ctrl-C): 128 + 2. */
  interrupted: 130,
  /** SIGTERM: 128 + 15. */
  terminated: 143,
} as const;

/** A command's own code that wrknv passes on (`wrknv run`, `wrknv exec`). */
export type PassedOn = number & { readonly passedOn: unique symbol };

/** What a command returns: one of {@linkcode ExitCode}, or a code it passes on from a child. */
export type ExitStatus = (typeof ExitCode)[keyof typeof ExitCode] | PassedOn;

/** Pass a child's exit code on as wrknv's own. */
export function passOn(code: number): ExitStatus {
  return code as PassedOn;
}

/** The signals that stop a run. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** The exit code of a run each stop signal ended. */
export const STOP_CODES: Record<StopSignal, ExitStatus> = {
  SIGINT: ExitCode.interrupted,
  SIGTERM: ExitCode.terminated,
  SIGHUP: ExitCode.hangup,
};

/** An error that wrknv reports as one line, with a known exit code. */
export class WrknvError extends Error {
  /** The exit code the process ends with. */
  readonly exitCode: number;
  /** What the user could do next, printed after the message. */
  readonly hint?: string;

  /** Make an error with a message, an exit code and an optional hint. */
  constructor(
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "WrknvError";
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.hint = options.hint;
  }
}

/** The longest config error message; longer ones lose their middle. */
const MAX_MESSAGE = 500;

/**
 * `message` with every control character (and bidirectional control) written as an escape (`\n`,
 * `\u0007`), and the middle of a very long one (a huge value quoted in it)
 * left out, so that where and why are both still on the line.
 */
export function oneLine(message: string): string {
  const line = printable(message);
  if (line.length <= MAX_MESSAGE) return line;
  const cut = line.length - 450;
  return `${line.slice(0, 300)}…(${cut} characters left out)…${line.slice(-150)}`;
}

/** Bad input: a config file, a flag or an argument. Exit code 2, nothing changed on disk. */
export class ConfigError extends WrknvError {
  /**
   * Every problem found, the first being `message` (a file with three
   * mistakes gives three, so one run shows them all), each one line.
   */
  readonly problems: string[];

  /**
   * Make a config or usage error (exit code 2). Control characters in the
   * message (a newline in a quoted value, say) are escaped, so the message is
   * always one line, and a very long one is shortened in the middle.
   */
  constructor(
    message: string,
    options: { hint?: string; cause?: unknown; problems?: string[] } = {},
  ) {
    super(oneLine(message), { ...options, exitCode: ExitCode.usage });
    this.name = "ConfigError";
    this.problems = options.problems?.length ? options.problems.map(oneLine) : [this.message];
  }
}

/**
 * The run was stopped: Ctrl-C (SIGINT, exit code 130), SIGTERM (143) or
 * SIGHUP (129). The one error every layer throws when its abort signal
 * fires; the CLI aborts with one that names the signal, and
 * {@linkcode interruption} hands that one on.
 */
export class InterruptedError extends WrknvError {
  /** The signal that stopped the run. */
  readonly signal: StopSignal;

  /** Make an interruption error. */
  constructor(message = "Interrupted", signal: StopSignal = "SIGINT") {
    super(message, { exitCode: STOP_CODES[signal] });
    this.name = "InterruptedError";
    this.signal = signal;
  }
}

/**
 * The error to throw once `signal` has aborted, saying `what` was
 * interrupted, with the signal the CLI's abort named (SIGINT when none did).
 */
export function interruption(signal: AbortSignal | undefined, what?: string): InterruptedError {
  const reason = signal?.reason;
  const stop = reason instanceof InterruptedError ? reason.signal : "SIGINT";
  return new InterruptedError(what ? `Interrupted: ${what}` : "Interrupted", stop);
}
