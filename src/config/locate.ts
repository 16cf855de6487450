/**
 * Best-effort mapping from a key path (`siblings[2].repo`) to the line of
 * wrknv.toml that holds it, so schema errors can point at a line as well as a
 * key. Pure; handles the standard tables of wrknv.toml, not every TOML form.
 *
 * @module
 */

/** A key path as zod reports it. */
export type KeyPath = readonly (string | number)[];

/** `siblings[2].repo` from `["siblings", 2, "repo"]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(part)) out += out ? `.${part}` : part;
    else out += `${out ? "." : ""}${JSON.stringify(part)}`;
  }
  return out;
}

function unquote(key: string): string {
  const k = key.trim();
  if ((k.startsWith('"') && k.endsWith('"')) || (k.startsWith("'") && k.endsWith("'"))) {
    return k.slice(1, -1);
  }
  return k;
}

function splitDotted(key: string): string[] {
  return key.split(".").map(unquote);
}

/**
 * The 1-based line that defines `path` in `text`, or the line of the nearest
 * enclosing table header; undefined when it cannot be found.
 */
export function locateKey(text: string, path: KeyPath): number | undefined {
  const lines = text.split("\n");
  // The table each line belongs to, as a key path with array indexes.
  let table: (string | number)[] = [];
  const arrayCounts = new Map<string, number>();
  let best: { line: number; depth: number } | undefined;
  const consider = (candidate: (string | number)[], line: number) => {
    if (candidate.length > path.length) return;
    for (let i = 0; i < candidate.length; i++) if (candidate[i] !== path[i]) return;
    if (!best || candidate.length > best.depth) best = { line, depth: candidate.length };
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const arrayHeader = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
    const header = arrayHeader ? undefined : /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (arrayHeader) {
      const keys = splitDotted(arrayHeader[1]);
      const id = keys.join("\0");
      const n = arrayCounts.get(id) ?? 0;
      arrayCounts.set(id, n + 1);
      table = [...keys, n];
      consider(keys, i + 1);
      consider(table, i + 1);
      continue;
    }
    if (header) {
      table = splitDotted(header[1]);
      consider(table, i + 1);
      continue;
    }
    const kv =
      /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/
        .exec(line);
    if (kv) consider([...table, ...splitDotted(kv[1])], i + 1);
  }
  return best?.line;
}
