import assert from "node:assert/strict";
import { bashCompletion, fishCompletion, zshCompletion } from "../src/cli/completions.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "../src/cli/commands.ts";
import { wrknv } from "./support/cli.ts";

/** Ask bash for the completions of a command line, as the shell would. */
async function complete(line: string): Promise<string[]> {
  const words = line.split(" ");
  const script = bashCompletion(COMMANDS, GLOBAL_OPTIONS) + `
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})
COMP_CWORD=${words.length - 1}
COMP_LINE='${line}'
_wrknv
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const out = await new Deno.Command("bash", {
    args: ["--norc", "-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

Deno.test("bash completes subcommands, their flags and flag values", async (t) => {
  const cases: [string, (got: string[]) => void][] = [
    ["wrknv ", (got) => assert.deepEqual(got, COMMANDS.map((c) => c.name))],
    ["wrknv boot", (got) => assert.deepEqual(got, ["bootstrap"])],
    ["wrknv s", (got) => assert.deepEqual(got, ["setup", "status", "sync", "switch", "schema"])],
    ["wrknv --js", (got) => assert.deepEqual(got, ["--json"])],
    ["wrknv bootstrap --li", (got) => assert.deepEqual(got, ["--link-from"])],
    ["wrknv bootstrap --lo", (got) => assert.deepEqual(got, ["--locked"])],
    ["wrknv -C /tmp bootstrap --dep", (got) => assert.deepEqual(got, ["--depth"])],
    [
      "wrknv sync --no-",
      (got) =>
        assert.deepEqual(
          got,
          ["--no-clone", "--no-cache", "--no-color"].filter((f) => got.includes(f)),
        ),
    ],
    ["wrknv graph --format ", (got) => assert.ok(got.includes("mermaid") && got.includes("dot"))],
    ["wrknv completions ", (got) => assert.deepEqual(got, ["bash", "zsh", "fish"])],
    ["wrknv init --installer ", (got) => assert.deepEqual(got, ["auto", "uv", "pip"])],
    ["wrknv status --jobs ", (got) => assert.deepEqual(got, [])],
    ["wrknv exec --kee", (got) => assert.deepEqual(got, ["--keep-going"])],
  ];
  for (const [line, check] of cases) {
    await t.step(JSON.stringify(line), async () => check(await complete(line)));
  }
});

Deno.test("zsh and fish scripts name every command", () => {
  const zsh = zshCompletion(COMMANDS, GLOBAL_OPTIONS);
  const fish = fishCompletion(COMMANDS, GLOBAL_OPTIONS);
  assert.match(zsh, /^#compdef wrknv/);
  for (const c of COMMANDS) {
    assert.ok(zsh.includes(`'${c.name}:`), `zsh lists ${c.name}`);
    assert.ok(fish.includes(` -a ${c.name} `), `fish lists ${c.name}`);
  }
  assert.ok(fish.includes("-l link-from -r"));
});

Deno.test("wrknv completions bash prints the script; an unknown shell is a usage error", async () => {
  const r = await wrknv(["completions", "bash"], { cwd: "." });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, bashCompletion(COMMANDS, GLOBAL_OPTIONS));
  const bad = await wrknv(["completions", "tcsh"], { cwd: "." });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'completions' <shell>: expected bash, zsh or fish, got "tcsh"/);
  // The zsh script parses.
  const zsh = await new Deno.Command("sh", { args: ["-c", "command -v zsh"] }).output();
  if (zsh.success) {
    const out = await new Deno.Command("zsh", {
      args: ["-n", "-c", zshCompletion(COMMANDS, GLOBAL_OPTIONS)],
    }).output();
    assert.equal(out.code, 0);
  }
});
