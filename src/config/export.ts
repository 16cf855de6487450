/**
 * `wrknv export`: write the siblings in another tool's format, for people
 * who still need the old tool.
 *
 * @module
 */

/** A sibling to export: its path relative to the exported file's directory. */
export interface ExportSibling {
  /** Name. */
  name: string;
  /** Clone URL. */
  repo: string;
  /** Path relative to where the file will be. */
  path: string;
  /** Branch, tag or commit. */
  revision?: string;
}

/** The formats written. */
export type ExportFormat = "repos" | "gitmodules";

function yamlString(s: string): string {
  return /^[A-Za-z0-9._/@:+-]+$/.test(s) && !/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)
    ? s
    : JSON.stringify(s);
}

/** Render the siblings as a vcstool `.repos` file or a `.gitmodules` file. */
export function exportManifest(siblings: readonly ExportSibling[], format: ExportFormat): string {
  if (format === "repos") {
    let out =
      "# Written by `wrknv export --format repos`; import with `vcs import < this-file`\nrepositories:\n";
    for (const s of siblings) {
      out += `  ${yamlString(s.path)}:\n    type: git\n    url: ${yamlString(s.repo)}\n`;
      if (s.revision) out += `    version: ${yamlString(s.revision)}\n`;
    }
    return out;
  }
  let out = "";
  for (const s of siblings) {
    out += `[submodule "${s.name}"]\n\tpath = ${s.path}\n\turl = ${s.repo}\n`;
    if (s.revision) out += `\tbranch = ${s.revision}\n`;
  }
  return out;
}
