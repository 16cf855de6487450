/**
 * Text shown to people that came from a file someone else may have written:
 * finding the characters that could change what a terminal shows, escaping
 * them, and quoting values put into a suggested shell command.
 *
 * @module
 */

/**
 * Characters that change what a terminal shows rather than show themselves:
 * C0 controls (newline, carriage return, escape...), DEL, C1 controls, and
 * the Unicode bidirectional formatting characters (which reorder the text
 * around them, as in "Trojan Source").
 */
// deno-lint-ignore no-control-regex
const HIDING = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// deno-lint-ignore no-control-regex
const HIDING_ALL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The first character of `text` that could hide or rewrite what a terminal
 * shows, as an escape (`\r`, `\u001b`, `\u202e`), or null when there is none.
 */
export function hidingCharacter(text: string): string | null {
  const m = HIDING.exec(text);
  return m ? escapeChar(m[0]) : null;
}

function escapeChar(c: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every character that {@link hidingCharacter} finds escaped, so
 * it shows as it is; with `lines`, newlines are kept (for multi-line output).
 */
export function printable(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(HIDING_ALL, (c) => options.lines && c === "\n" ? c : escapeChar(c));
}

/**
 * `value` as one word for a POSIX shell: as it is when it holds only
 * characters no shell treats specially, else in single quotes.
 */
export function shellQuote(value: string): string {
  if (value !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
