/**
 * `--json` everywhere or nowhere: every command, run with --json, prints one
 * JSON document on stdout (its result, or `{"ok": false, "error": ...}` when
 * it fails), or refuses --json with exit 2 (and then prints that refusal as
 * JSON too). Keys are snake_case, as in wrknv.toml.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { twoSiblings } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { COMMANDS } from "../src/cli/commands.ts";
import { SYSTEM_WHEELS } from "./support/python.ts";

/** Keys that are not snake_case, anywhere in a document (data keys such as sibling names aside). */
function camelKeys(doc: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) { for (const x of doc) camelKeys(x, out); }
  else if (doc && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) {
      if (/^[a-z]+[A-Z]/.test(k)) out.add(k);
      camelKeys(v, out);
    }
  }
  return out;
}

Deno.test("every command prints one JSON document with --json, or refuses it", async () => {
  await using tmp = await tempDir();
  const { ws } = await twoSiblings(tmp.path);
  const offline = ["--offline", "--find-links", SYSTEM_WHEELS];
  // Each command's arguments; in table order, as some depend on what ran before.
  const runs: Record<string, string[][]> = {
    init: [["init", "--yes", "--name", "x"]], // fails: a wrknv.toml is there
    bootstrap: [["bootstrap"]],
    setup: [["setup", ...offline]],
    up: [["up", ...offline]],
    validate: [["validate"]],
    status: [["status"]],
    sync: [["sync"]],
    exec: [["exec", "--", "true"]],
    run: [["run", "--", "true"], ["run", "--each", "--", "true"]],
    affected: [["affected", "--since", "upstream"]],
    branch: [["branch", "feature-x"]],
    switch: [["switch", "main"]],
    grep: [["grep", "nothing-matches-this"]],
    lock: [["lock"]],
    graph: [["graph"]],
    add: [["add", "https://h.invalid/c.git"]],
    remove: [["remove", "c"]],
    export: [["export"]],
    bundle: [["bundle", join(tmp.path, "bundle")]],
    cache: [["cache", "info"]],
    trust: [["trust", "--yes"]],
    config: [["config"]],
    schema: [["schema"]],
    demo: [["demo", "--keep", join(tmp.path, "demo")]],
    completions: [["completions", "bash"]],
    upgrade: [["upgrade"]], // fails under deno run: an error document
  };
  const missing = COMMANDS.map((c) => c.name).filter((n) => !(n in runs));
  assert.deepEqual(missing, [], "every command has a case here");
  for (const command of COMMANDS) {
    for (const args of runs[command.name]) {
      const r = await wrknv(["--json", ...args], { cwd: ws.meta });
      const shown = `wrknv --json ${args.join(" ")}: exit ${r.code}\n${r.stdout}\n${r.stderr}`;
      let doc: unknown;
      try {
        doc = JSON.parse(r.stdout);
      } catch {
        assert.fail(`stdout is not one JSON document: ${shown}`);
      }
      if (command.noJson) {
        assert.equal(r.code, 2, shown);
        assert.match(r.stderr, /has no JSON output .*; leave out --json/, shown);
        assert.equal((doc as { ok: boolean }).ok, false);
        continue;
      }
      if (![0, 1, 2].includes(r.code)) assert.fail(`unexpected exit: ${shown}`);
      if (command.name !== "schema") {
        assert.deepEqual([...camelKeys(doc)], [], `snake_case keys: ${shown}`);
      }
    }
  }
});

Deno.test("a failure with --json is a JSON document on stdout, and the line on stderr", async () => {
  await using tmp = await tempDir();
  const r = await wrknv(["status", "--json"], { cwd: tmp.path });
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.match(doc.error.message, /^no wrknv\.toml in /);
  assert.match(doc.error.hint, /run wrknv in the meta-repository/);
  assert.equal(doc.error.exit_code, 2);
  assert.match(r.stderr, /^error: no wrknv\.toml in /);
});
