/**
 * Edit wrknv.toml text in place, keeping every comment and the formatting of
 * everything not edited: add a sibling at the end, remove one by name. Pure:
 * text in, text out; callers validate the result before writing it.
 *
 * @module
 */
import { parse as parseDocument, patch } from "@decimalturn/toml-patch";
import { renderSibling, type SiblingSpec } from "./render.ts";

/** Append a `[[siblings]]` table for `sibling` to the file's text. */
export function addSibling(text: string, sibling: SiblingSpec): string {
  const body = text.endsWith("\n") || text === "" ? text : text + "\n";
  return body + renderSibling(sibling);
}

const HEADER = /^\s*\[/;
const ARRAY_HEADER = /^\s*\[\[\s*siblings\s*\]\]\s*(#.*)?$/;
const NAME_LINE = /^\s*name\s*=\s*(".*"|'.*')\s*(#.*)?$/;

function nameOf(line: string): string | undefined {
  const m = NAME_LINE.exec(line);
  if (!m) return undefined;
  const raw = m[1];
  try {
    return raw.startsWith('"') ? JSON.parse(raw) : raw.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Remove the `[[siblings]]` table whose name is `name`: its header through its
 * last key. Comments around it (above the header, or after its last key) stay,
 * since they may introduce the next sibling or a whole section. Siblings
 * written in another form (an inline array) are edited through toml-patch.
 *
 * @returns the new text, or undefined when there is no such sibling
 */
export function removeSibling(text: string, name: string): string | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!ARRAY_HEADER.test(lines[i])) continue;
    let end = i; // last line that belongs to this table's keys
    let found = false;
    for (let j = i + 1; j < lines.length && !HEADER.test(lines[j]); j++) {
      const t = lines[j].trim();
      if (t !== "" && !t.startsWith("#")) end = j;
      if (nameOf(lines[j]) === name) found = true;
    }
    if (!found) continue;
    // Also drop one blank line before the header, so spacing stays even.
    const start = i > 0 && lines[i - 1].trim() === "" ? i - 1 : i;
    return [...lines.slice(0, start), ...lines.slice(end + 1)].join("\n");
  }
  // Not in [[siblings]] form: let toml-patch edit the value, keeping what it can.
  const doc = parseDocument(text) as { siblings?: { name?: unknown }[] };
  if (!Array.isArray(doc.siblings) || !doc.siblings.some((s) => s?.name === name)) return undefined;
  return patch(text, { ...doc, siblings: doc.siblings.filter((s) => s?.name !== name) });
}
