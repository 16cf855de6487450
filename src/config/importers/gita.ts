/**
 * gita's freeze file (`gita freeze > repos.csv`, read back by
 * `gita clone -f`): CSV rows `url,name,path,type,flags,branch`, where type
 * and flags are often empty and newer gita adds the checked-out branch, and group rows with an empty URL,
 * `,group,group-path,repo1|repo2`. Older gita wrote only `url,name,path`.
 * gita writes absolute paths; they are kept as written.
 *
 * @module
 */
import {
  checkPath,
  checkUrl,
  type Context,
  describeWhere,
  fail,
  lastComponent,
  normalizeRevision,
  safeName,
  warn,
} from "./common.ts";
import type { ImportedSibling } from "./types.ts";

/** One CSV record (Python's csv dialect: `"` quotes, `""` for a quote). */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/** Siblings from gita's freeze CSV; group rows become the siblings' groups. */
export function parseGita(ctx: Context, text: string): ImportedSibling[] {
  const out: ImportedSibling[] = [];
  const byGitaName = new Map<string, ImportedSibling>();
  const groups: { name: string; repos: string[]; line: number }[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const record = raw.replace(/\r$/, "");
    if (record.trim() === "") return;
    const cells = splitCsvLine(record);
    if (!cells) fail(ctx, { line }, "a quoted field is not closed");
    if (cells.length < 3) {
      fail(ctx, { line }, `expected url,name,path, got ${JSON.stringify(record)}`);
    }
    const [url, gitaName, path, type, , branch] = cells.map((c) => c.trim());
    if (url === "") {
      // A group row: ,name,path,repo1|repo2
      if (!gitaName) fail(ctx, { line }, "a group row without a group name");
      groups.push({ name: gitaName, repos: (type ?? "").split("|").filter((r) => r), line });
      return;
    }
    const where = { line, label: gitaName ? `repo ${JSON.stringify(gitaName)}` : undefined };
    const repo = checkUrl(ctx, where, url);
    if (repo === undefined) return;
    const checkedPath = checkPath(ctx, where, path);
    const sibling: ImportedSibling = {
      name: safeName(
        ctx,
        where,
        gitaName || lastComponent(checkedPath ?? url, { url: !checkedPath }),
      ),
      repo,
      ...(checkedPath ? { path: checkedPath } : {}),
      ...(branch ? { revision: normalizeRevision(branch) } : {}),
      at: describeWhere(ctx, where),
    };
    out.push(sibling);
    if (gitaName) byGitaName.set(gitaName, sibling);
  });
  for (const group of groups) {
    for (const name of group.repos) {
      const sibling = byGitaName.get(name);
      if (!sibling) {
        warn(ctx, { line: group.line }, `group "${group.name}" lists "${name}", which has no row`);
        continue;
      }
      sibling.groups = [...(sibling.groups ?? []), group.name];
    }
  }
  return out;
}
