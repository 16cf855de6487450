/**
 * Colours and symbols for human output. Colour is used only when the stream
 * is a terminal, NO_COLOR is unset and --no-color was not given.
 *
 * @module
 */

/** A set of colour functions; each is the identity when colour is off. */
export interface Style {
  /** True when colours are on. */
  enabled: boolean;
  /** Green text. */
  green(s: string): string;
  /** Yellow text. */
  yellow(s: string): string;
  /** Red text. */
  red(s: string): string;
  /** Dim text. */
  dim(s: string): string;
  /** Bold text. */
  bold(s: string): string;
  /** Cyan text. */
  cyan(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) =>
  on ? `\x1b[${open}m${s}\x1b[${close}m` : s;

/** A style with colours on or off. */
export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    red: wrap(enabled, 31, 39),
    dim: wrap(enabled, 2, 22),
    bold: wrap(enabled, 1, 22),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Status symbols, as the seed's scripts printed them. */
export const SYMBOLS = { ok: "✓", warn: "⚠", error: "✗", info: "·", skip: "-" } as const;

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The printed width of a string, ignoring colour codes. */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, "")].length;
}

/** Render rows as aligned columns separated by two spaces; the last column is not padded. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell)));
  }
  return rows.map((row) =>
    row.map((cell, i) =>
      i === row.length - 1 ? cell : cell + " ".repeat(widths[i] - visibleWidth(cell))
    )
      .join("  ").trimEnd()
  ).join("\n") + (rows.length ? "\n" : "");
}

/** What the symbols of the status table mean (in `wrknv status --help`, and under it with -v). */
export const STATUS_LEGEND =
  "CHANGES: +N staged, ~N changed, ?N untracked, !N conflicted, $N stashes; UPSTREAM: ↑N ahead, ↓N behind";
