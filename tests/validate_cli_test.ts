/**
 * wrknv validate on a real workspace (real git, a real venv made by setup,
 * offline), healthy and then broken in each of the ways the issue lists.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { gitIn } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { pipInstall, validateJson as validate } from "./support/validate.ts";
import { makePackageRemote, OFFLINE } from "./support/python.ts";

Deno.test("validate: healthy, then each way of being broken gives its check id and status", async (t) => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const base = await makePackageRemote(remotes, { name: "wrknvtest-base" }, "base");
  const tools = await makePackageRemote(
    remotes,
    { name: "wrknvtest-tools", deps: ["wrknvtest-base"], module: "tools" },
    "tools",
  );
  const ns = await makePackageRemote(
    remotes,
    { name: "wrknvtest-acme-core", module: "acme.core" },
    "acme-core",
  );
  const siblings = [
    { name: "base", repo: base.url, layer: "foundation" },
    { name: "tools", repo: tools.url, layer: "tools" },
    { name: "acme-core", repo: ns.url, layer: "foundation" },
  ];
  const ws = await makeWorkspace(join(tmp.path, "ws"), siblings, {
    workspace: 'layers = ["foundation", "tools"]',
  });
  const up = await wrknv(["up", ...OFFLINE], { cwd: ws.meta });
  assert.equal(up.code, 0, up.stdout + up.stderr);

  await t.step("healthy: every check ok, exit 0, one summary line", async () => {
    const v = await validate(ws.meta);
    assert.equal(v.code, 0);
    assert.deepEqual([v.doc.ok, v.doc.errors, v.doc.warnings], [true, 0, 0]);
    for (const id of ["tools.git", "tools.python", "layers", "venv.exists", "venv.python"]) {
      assert.equal(v.find(id)[0]?.status, "ok", id);
    }
    for (const s of ["base", "tools", "acme-core"]) {
      for (const id of ["sibling.present", "sibling.origin", "venv.installed", "imports"]) {
        assert.equal(v.find(id, s)[0]?.status, "ok", `${s} ${id}`);
      }
    }
    assert.match(
      v.find("imports", "acme-core")[0].message,
      /import acme\.core/,
      "namespace package found from the layout",
    );
    const human = await wrknv(["validate"], { cwd: ws.meta });
    assert.match(human.stdout, /^workspace\n {2}✓ git version/);
    assert.match(human.stdout, /\ntools\n {2}✓ present/);
    assert.match(human.stdout, /0 errors, 0 warnings\n$/);
  });

  await t.step("healthy: the venv's Python is started once, for every check of it", async () => {
    const venv = join(ws.meta, ".venv");
    const log = join(tmp.path, "pythons.log");
    const [lib] = await Array.fromAsync(Deno.readDir(join(venv, "lib")));
    const custom = join(venv, "lib", lib.name, "site-packages", "sitecustomize.py");
    await Deno.writeTextFile(
      custom,
      `import sys\nwith open(${
        JSON.stringify(log)
      }, "a") as f:\n    f.write(" ".join(sys.orig_argv[1:3]) + "\\n")\n`,
    );
    try {
      const v = await validate(ws.meta);
      assert.equal(v.code, 0);
      assert.match(v.find("tools.python")[0].message, /the venv's Python \d+\.\d+\.\d+ satisfies/);
      const started = (await Deno.readTextFile(log)).split("\n").filter((l) => l !== "");
      assert.deepEqual(started, ["-I -c"], "one Python process in the venv");
    } finally {
      await Deno.remove(custom);
    }
  });

  await t.step("an import that raises shows the exception's last line", async () => {
    const init = join(ws.sibling("tools"), "src", "tools", "__init__.py");
    const before = await Deno.readTextFile(init);
    await Deno.writeTextFile(init, "raise RuntimeError('tools is broken on purpose')\n");
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    const c = v.find("imports", "tools")[0];
    assert.equal(c.status, "error");
    assert.equal(c.message, "import tools: RuntimeError: tools is broken on purpose");
    await Deno.writeTextFile(init, before);
  });

  await t.step("a wrong remote", async () => {
    await gitIn(ws.sibling("base"), [
      "remote",
      "set-url",
      "origin",
      "https://example.invalid/someone-else/base.git",
    ]);
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    const c = v.find("sibling.origin", "base")[0];
    assert.equal(c.status, "error");
    assert.match(
      c.message,
      /origin is https:\/\/example\.invalid\/someone-else\/base\.git, but wrknv\.toml says/,
    );
    assert.match(c.hint ?? "", /remote set-url origin/);
    await gitIn(ws.sibling("base"), ["remote", "set-url", "origin", base.url]);
  });

  await t.step("a package installed from another path names both paths", async () => {
    const other = join(tmp.path, "elsewhere", "base");
    await gitIn(tmp.path, ["clone", "--quiet", base.url, other]);
    await pipInstall(join(ws.meta, ".venv"), ["-e", other]);
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    const c = v.find("venv.installed", "base")[0];
    assert.equal(c.status, "error");
    assert.ok(c.message.includes(other) && c.message.includes(ws.sibling("base")), c.message);
    const fix = await wrknv(["setup", "--force", ...OFFLINE], { cwd: ws.meta });
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.equal((await validate(ws.meta)).code, 0, "the hint's fix works");
  });

  await t.step("a layer violation", async () => {
    const text = await Deno.readTextFile(ws.config);
    await Deno.writeTextFile(
      ws.config,
      text.replace('layer = "tools"', 'layer = "foundation"').replace(
        /(name = "base"\nrepo = "[^"]+"\n)layer = "foundation"/,
        '$1layer = "tools"',
      ),
    );
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    const c = v.doc.checks.find((x) => x.id === "layers" && x.status === "error");
    assert.ok(c, JSON.stringify(v.doc.checks.filter((x) => x.id === "layers")));
    assert.match(c!.message, /tools \(foundation\) depends on base \(tools\), a higher layer/);
    await Deno.writeTextFile(ws.config, text);
  });

  await t.step("a Python that is too old for the spec", async () => {
    const text = await Deno.readTextFile(ws.config);
    await Deno.writeTextFile(
      ws.config,
      text.replace("[workspace]\n", '[workspace]\npython.version = ">=3.99"\n'),
    );
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    assert.equal(v.find("tools.python")[0].status, "error");
    assert.match(v.find("tools.python")[0].message, /no Python satisfies ">=3\.99"/);
    assert.equal(v.find("venv.python")[0].status, "error");
    assert.match(v.find("venv.python")[0].hint ?? "", /--recreate/);
    await Deno.writeTextFile(ws.config, text);
  });

  await t.step("a missing sibling", async () => {
    await Deno.rename(ws.sibling("tools"), join(tmp.path, "tools-away"));
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    assert.equal(v.find("sibling.present", "tools")[0].status, "error");
    assert.match(v.find("sibling.present", "tools")[0].hint ?? "", /wrknv bootstrap --only tools/);
    await Deno.rename(join(tmp.path, "tools-away"), ws.sibling("tools"));
  });

  await t.step("no venv", async () => {
    await Deno.rename(join(ws.meta, ".venv"), join(tmp.path, "venv-away"));
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    assert.equal(v.find("venv.exists")[0].status, "error");
    assert.match(v.find("venv.exists")[0].hint ?? "", /wrknv setup/);
    await Deno.rename(join(tmp.path, "venv-away"), join(ws.meta, ".venv"));
  });

  await t.step("warnings alone exit 0: a sibling off its lock", async () => {
    assert.equal((await wrknv(["lock"], { cwd: ws.meta })).code, 0);
    await gitIn(ws.sibling("base"), ["commit", "--quiet", "--allow-empty", "-m", "move on"]);
    const v = await validate(ws.meta);
    assert.equal(v.code, 0);
    assert.equal(v.find("sibling.lock", "base")[0].status, "warn");
    assert.equal(v.doc.warnings, 1);
  });
});
