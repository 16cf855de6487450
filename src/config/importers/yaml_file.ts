/**
 * YAML for the importers: every scalar read as a string (the failsafe
 * schema, so `version: 1.10` stays `1.10`), syntax errors as
 * `file:line:col: ...`, and the line of any key path for later errors.
 *
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../../errors.ts";
import type { KeyPath } from "../locate.ts";
import type { Context } from "./common.ts";

/** A parsed YAML manifest. */
export interface YamlFile {
  /** The document as plain data; scalars are strings. */
  data: unknown;
  /** The 1-based line of the deepest part of `path` found (the key's line for a mapping key). */
  lineOf(path: KeyPath): number | undefined;
}

/** Parse `text`, or throw a ConfigError `file:line:col: not valid YAML: ...`. */
export function parseYaml(ctx: Context, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const what = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError(
      `${ctx.file}${pos ? `:${pos.line}:${pos.col}` : ""}: not valid YAML: ${what}`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${ctx.file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    const lineAt = (n: unknown) => {
      const range = (n as { range?: [number, number, number] } | null)?.range;
      return range ? lineCounter.linePos(range[0]).line : undefined;
    };
    line = lineAt(node);
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
        if (!pair) break;
        line = lineAt(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
        node = node.items[part];
        line = lineAt(node) ?? line;
      } else break;
    }
    return line;
  };
  return { data, lineOf };
}
