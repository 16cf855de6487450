/** The README's command table renders as a table and lists every command. */
import assert from "node:assert/strict";
import { COMMANDS } from "../src/cli/commands.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));

Deno.test("README: the command table has two cells a row and every command in it", () => {
  const lines = README.split("\n");
  const start = lines.findIndex((l) => /^\| command +\| what it does +\|$/.test(l));
  assert.ok(start >= 0, "a table headed | command | what it does |");
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith("|"); i++) rows.push(lines[i]);
  const listed = new Set<string>();
  for (const row of rows) {
    // A | inside a code span still ends a cell in Markdown: every row is exactly two cells.
    const cells = row.split("|").slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 2, `two cells: ${row}`);
    assert.ok(cells[1].length > 0, `a description: ${row}`);
    for (const m of cells[0].matchAll(/`wrknv ([a-z]+)/g)) listed.add(m[1]);
  }
  const missing = COMMANDS.map((c) => c.name).filter((n) => !listed.has(n));
  assert.deepEqual(missing, [], "commands missing from the README's table");
  const unknown = [...listed].filter((n) => !COMMANDS.some((c) => c.name === n));
  assert.deepEqual(unknown, [], "the README lists commands that do not exist");
});
