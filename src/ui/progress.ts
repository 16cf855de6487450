/**
 * Progress for multi-sibling operations. In a terminal: one status line on
 * stderr, redrawn in place, with counts and the siblings in flight. Elsewhere
 * (CI, pipes): one plain line per finished sibling. Never for --json.
 *
 * @module
 */
import type { Reporter } from "../reporter.ts";
import { runtime } from "../runtime.ts";
import type { Style } from "./style.ts";

/** How the progress reporter is set up. */
export interface ProgressOptions {
  /** Total siblings, for the count. */
  total: number;
  /** Verb shown while running ("cloning"). */
  verb: string;
  /** Redraw a live line (stderr is a terminal). */
  live: boolean;
  /** Print nothing but warnings. */
  quiet: boolean;
  /** Colours for stderr. */
  style: Style;
  /** Status words that are failures: counted on the live line, told by the command's summary. */
  bad?: string[];
  /** Status words that are quiet successes, not printed per sibling in plain mode. */
  quietStatuses?: string[];
  /** The clock, in milliseconds (tests give their own). */
  now?: () => number;
}

/** A reporter that also knows how to clear its line at the end. */
export interface Progress extends Reporter {
  /** Clear the live line. */
  end(): void;
}

/** Make the progress reporter. */
export function progressReporter(options: ProgressOptions): Progress {
  const inFlight = new Set<string>();
  let done = 0;
  let failed = 0;
  let total = options.total;
  let step: { what: string; started: number } | null = null;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let drawn = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const s = options.style;
  const now = options.now ?? (() => performance.now());
  // When the first sibling started: a long run shows its time going by (`cloning 3/24 12s`).
  let began: number | null = null;
  const bad = new Set(options.bad ?? ["failed", "conflict", "error"]);
  const quietOk = new Set(options.quietStatuses ?? []);

  const clear = () => {
    if (drawn) runtime.writeErr("\r\x1b[2K");
    drawn = false;
  };
  const draw = () => {
    timer = undefined;
    if (!options.live || options.quiet) return;
    const names = [...inFlight];
    const width = runtime.columns() - 1;
    let line = `${options.verb} ${done}/${total}`;
    if (failed) line += `, ${s.red(`${failed} failed`)}`;
    const runSecs = began === null ? 0 : Math.floor((now() - began) / 1000);
    if (runSecs >= 2 && !step) line += ` ${runSecs}s`;
    if (step) {
      const secs = Math.floor((now() - step.started) / 1000);
      line += `  ${step.what}${secs >= 2 ? ` ${secs}s` : ""}`;
    }
    if (names.length) line += `  ${s.dim(names.join(", "))}`;
    if (line.length > width) line = line.slice(0, Math.max(0, width - 1)) + "…";
    runtime.writeErr(`\r\x1b[2K${line}`);
    drawn = true;
  };
  const schedule = () => {
    // Redraw at most every 50 ms: cheap with a hundred siblings finishing at once.
    if (timer === undefined) timer = setTimeout(draw, 50);
  };
  const printLine = (text: string) => {
    clear();
    runtime.writeErr(text + "\n");
    if (options.live) schedule();
  };

  return {
    start(name) {
      inFlight.add(name);
      if (began === null) {
        began = now();
        if (options.live && ticker === undefined) ticker = setInterval(schedule, 1000);
      }
      schedule();
    },
    done(name, status, detail) {
      inFlight.delete(name);
      done++;
      // A failure is counted on the live line and told once, in the command's summary.
      if (bad.has(status)) failed++;
      else if (!options.quiet && (!quietOk.has(status) || detail)) {
        if (!options.live || detail) {
          printLine(`${status.padEnd(10)} ${name}${detail ? `  ${s.dim(detail)}` : ""}`);
        }
      }
      schedule();
    },
    info(message) {
      if (!options.quiet) printLine(message);
    },
    warn(message) {
      printLine(s.yellow(`warning: ${message}`));
    },
    step(what, result) {
      if (result === undefined) {
        step = { what, started: now() };
        // A long step shows its time going by.
        if (options.live && ticker === undefined) ticker = setInterval(schedule, 1000);
      } else {
        step = null;
        // The run's own clock keeps ticking once siblings have started.
        if (ticker !== undefined && began === null) {
          clearInterval(ticker);
          ticker = undefined;
        }
      }
      schedule();
    },
    total(n) {
      total = n;
      schedule();
    },
    end() {
      if (timer !== undefined) clearTimeout(timer);
      if (ticker !== undefined) clearInterval(ticker);
      timer = undefined;
      ticker = undefined;
      clear();
    },
  };
}

/** A progress reporter that shows nothing (for --json). */
export function silentProgress(): Progress {
  return { start() {}, done() {}, info() {}, warn() {}, end() {} };
}
