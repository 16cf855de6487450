import assert from "node:assert/strict";
import { venvPlacementProblem } from "../src/config/paths.ts";
import { checkRepoUrl } from "../src/config/url.ts";
import { dubiousOwnership } from "../src/git/parse.ts";

Deno.test("venvPlacementProblem: a venv never is, holds or lies in another part of the workspace", () => {
  const ws = {
    root: "/w",
    configDir: "/w/meta",
    siblings: [{ name: "a", path: "/w/a" }, { name: "b", path: "/w/group/b" }],
  };
  const table: [string, string | null][] = [
    ["/w/meta/.venv", null],
    ["/w/.venv", null],
    ["/opt/venvs/x", null],
    ["/w/group/.venv", null],
    ["/w", "is the workspace root"],
    ["/", "holds the workspace root"],
    ["/w/meta", "is the directory holding wrknv.toml"],
    ["/w/a", 'is sibling "a"'],
    ["/w/a/.venv", 'lies inside sibling "a"'],
    ["/w/group", 'holds sibling "b"'],
  ];
  for (const [venv, want] of table) assert.equal(venvPlacementProblem(venv, ws), want, venv);
  // The meta-repository inside the venv (root elsewhere).
  assert.equal(
    venvPlacementProblem("/x", { root: "/r", configDir: "/x/meta", siblings: [] }),
    "holds the directory of wrknv.toml",
  );
});

Deno.test("ssh hosts and users that ssh would read as an option, however written", () => {
  const refused = [
    "ssh://[-oProxyCommand=touch x]/x",
    "ssh://%2DoProxyCommand=x/x",
    "ssh://%2doProxyCommand=x@host/x",
    "git@[-oProxyCommand=x]:x",
    "ssh://[ -oProxyCommand=x]/x",
  ];
  for (const url of refused) {
    const r = checkRepoUrl(url);
    assert.ok("error" in r && /beginning with "-"/.test(r.error), url);
  }
  for (const url of ["ssh://[::1]/x.git", "ssh://git@[::1]:2222/x.git", "ssh://h/%2Dx.git"]) {
    assert.deepEqual(checkRepoUrl(url), { transport: "ssh" }, url);
  }
});

Deno.test("dubiousOwnership reads git's refusal", () => {
  const stderr = "fatal: detected dubious ownership in repository at '/srv/x y'\n" +
    "To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory '/srv/x y'\n";
  assert.equal(dubiousOwnership(stderr), "/srv/x y");
  assert.equal(dubiousOwnership("fatal: not a git repository"), null);
});
