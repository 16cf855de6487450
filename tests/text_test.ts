import assert from "node:assert/strict";
import { hidingCharacter, printable, shellQuote } from "../src/text.ts";

Deno.test("hidingCharacter finds what could rewrite a terminal line", () => {
  const table: [string, string | null][] = [
    ["pre-commit install", null],
    ["touch x #\r  post_install: safe", "\\r"],
    ["a\u001b[2Kb", "\\u001b"],
    ["echo \u202e", "\\u202e"],
    ["x\u2066y", "\\u2066"],
    ["c1 \u009b", "\\u009b"],
    ["line\nnext", "\\n"],
    ["ünïcode is fine", null],
  ];
  for (const [text, want] of table) assert.equal(hidingCharacter(text), want, JSON.stringify(text));
});

Deno.test("printable escapes them, keeping newlines only when asked", () => {
  assert.equal(printable("a\rb\u001b[2Kc"), "a\\rb\\u001b[2Kc");
  assert.equal(printable("one\ntwo\u202e", { lines: true }), "one\ntwo\\u202e");
  assert.equal(printable("one\ntwo"), "one\\ntwo");
});

Deno.test("shellQuote makes one shell word that runs nothing", async () => {
  const table: [string, string][] = [
    ["https://h/x.git", "https://h/x.git"],
    ["/tmp/a b", "'/tmp/a b'"],
    ["", "''"],
    ["it's", `'it'\\''s'`],
    ["https://h/x.git;touch${IFS}/tmp/x;#", "'https://h/x.git;touch${IFS}/tmp/x;#'"],
    ["$(id)`id`", "'$(id)`id`'"],
  ];
  for (const [value, want] of table) {
    assert.equal(shellQuote(value), want);
    // And a shell reads it back as exactly that one word.
    const r = await new Deno.Command("sh", {
      args: ["-c", `printf '%s' ${shellQuote(value)}`],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(r.stdout), value);
  }
});
