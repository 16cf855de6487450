/**
 * `wrknv export`: the siblings in another tool's format, for people who
 * still use that tool. Pure: siblings in, file text out. What it writes,
 * `importManifest` reads back to the same siblings.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/**
 * The first line of every exported file. `importManifest` reads a file that
 * starts with it as relative to the workspace root, wherever it lies.
 */
export const EXPORT_MARK = "# Written by `wrknv export`";

/** A sibling to export; its path is relative to the workspace root. */
export interface ExportSibling {
  /** Name. */
  name: string;
  /** Clone URL. */
  repo: string;
  /** Path relative to the workspace root (never `..`: git and vcstool refuse that). */
  path: string;
  /** Branch, tag or commit. */
  revision?: string;
}

/** The formats written. */
export type ExportFormat = "repos" | "gitmodules";

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * A YAML scalar that every YAML reader (1.1 as vcstool's PyYAML, and 1.2)
 * reads back as this exact string: plain when that is unambiguous, else
 * double-quoted with JSON's escapes (valid YAML).
 */
function yamlScalar(s: string): string {
  const plain = /^(\.{0,2}\/|[A-Za-z_])[A-Za-z0-9._/@:+~-]*$/.test(s) && !s.endsWith(":") &&
    !/^(y|n|yes|no|on|off|true|false|null)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** A git-config value: quoted when it has edge spaces or comment characters; escapes for `\ " \n \t`. */
function configValue(s: string): string {
  const escaped = s.replace(
    /[\\"\n\t\b]/g,
    (c) => c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\b" ? "\\b" : `\\${c}`,
  );
  return /^\s|\s$|[#;]/.test(s) || s === "" ? `"${escaped}"` : escaped;
}

function refuse(s: ExportSibling, what: string): never {
  throw new ConfigError(
    `cannot export sibling ${JSON.stringify(s.name)}: its ${what} holds a control character`,
  );
}

/**
 * Render the siblings as a vcstool `.repos` file (`vcs import < file`) or a
 * `.gitmodules` file.
 *
 * @throws {ConfigError} for a `.gitmodules` value git-config cannot hold (a
 * control character other than newline or tab)
 */
export function exportManifest(siblings: readonly ExportSibling[], format: ExportFormat): string {
  if (format === "repos") {
    let out = `${EXPORT_MARK}: paths are relative to the workspace root;\n` +
      "# clone there with `vcs import < FILE`, or read back anywhere with `wrknv init --from FILE`\n" +
      "repositories:\n";
    if (siblings.length === 0) return out.replace(/repositories:\n$/, "repositories: {}\n");
    for (const s of siblings) {
      out += `  ${yamlScalar(s.path)}:\n    type: git\n    url: ${yamlScalar(s.repo)}\n`;
      if (s.revision) out += `    version: ${yamlScalar(s.revision)}\n`;
    }
    return out;
  }
  let out = `${EXPORT_MARK}: paths are relative to the workspace root, the superproject;\n` +
    "# read back anywhere with `wrknv init --from FILE`\n";
  for (const s of siblings) {
    if (CONTROL.test(s.name)) refuse(s, "name");
    for (
      const [what, value] of [["path", s.path], ["URL", s.repo], ["revision", s.revision ?? ""]]
    ) {
      // deno-lint-ignore no-control-regex
      if (/[\x00-\x07\x0b-\x1f\x7f]/.test(value)) refuse(s, what);
    }
    out += `[submodule "${s.name.replace(/[\\"]/g, (c) => `\\${c}`)}"]\n`;
    out += `\tpath = ${configValue(s.path)}\n\turl = ${configValue(s.repo)}\n`;
    if (s.revision) out += `\tbranch = ${configValue(s.revision)}\n`;
  }
  return out;
}
