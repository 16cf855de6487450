/**
 * wrknv setup with a real venv and pip, offline.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import {
  CAN_UNSHARE,
  makePackageRemote,
  makeWheel,
  OFFLINE,
  OFFLINE_ENV,
  SYSTEM_WHEELS,
  venvRun,
} from "./support/python.ts";
import { snapshot } from "./support/tree.ts";
import { which } from "../src/proc/mod.ts";

/** Offline, really: no index, no pip configuration, and no network where the machine allows. */
const offline = { env: OFFLINE_ENV, unshare: CAN_UNSHARE };

/**
 * Six siblings: a diamond (core <- left, right <- top), a dependency spelled
 * differently from its project name, an extra only some have, and a
 * non-Python sibling.
 */
async function sixPackages(dir: string) {
  const remotes = join(dir, "remotes");
  const specs = [
    { name: "wrknvtest-foo-bar", deps: [], extras: { dev: [] } },
    { name: "wrknvtest-core", deps: [], extras: { dev: [] } },
    { name: "wrknvtest-left", deps: ["wrknvtest-core>=0.1"] },
    {
      name: "wrknvtest-right",
      deps: ['Wrknvtest_Foo_Bar[dev]>=0.1; python_version>="3"', "wrknvtest-core"],
      extras: { dev: [] },
    },
    {
      name: "wrknvtest-top",
      deps: ["wrknvtest-left", "wrknvtest-right", 'wrknvtest-never-installed; python_version<"3"'],
    },
  ];
  const made = await Promise.all(specs.map((s) => makePackageRemote(remotes, s)));
  const docs = await makeRemote(remotes, "docs", { files: { "index.md": "# docs\n" } });
  // File order is not dependency order: top first.
  const order = [
    "wrknvtest-top",
    "wrknvtest-right",
    "docs",
    "wrknvtest-left",
    "wrknvtest-core",
    "wrknvtest-foo-bar",
  ];
  const url = (n: string) =>
    n === "docs" ? docs.url : made[specs.findIndex((s) => s.name === n)].url;
  const ws = await makeWorkspace(
    join(dir, "ws"),
    order.map((n) => ({ name: n, repo: url(n), ...(n === "docs" ? { install: false } : {}) })),
    { python: 'extras = ["dev"]\ninstaller = "pip"' },
  );
  return ws;
}

Deno.test("six packages install editable in dependency order; every one imports; a re-run is idempotent", async () => {
  await using tmp = await tempDir();
  const ws = await sixPackages(tmp.path);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.installer, "pip");
  // Layers in dependency order; ties in file order (right stands before left in the file).
  assert.deepEqual(doc.order, [["wrknvtest-core", "wrknvtest-foo-bar"], [
    "wrknvtest-right",
    "wrknvtest-left",
  ], ["wrknvtest-top"]]);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by.docs.status, "skipped");
  assert.equal(by["wrknvtest-top"].status, "installed");
  assert.deepEqual(by["wrknvtest-right"].extras, ["dev"]);
  assert.deepEqual(by["wrknvtest-left"].extras, []);
  assert.match(by["wrknvtest-left"].note, /has no extra "dev"/);

  const venv = join(ws.meta, ".venv");
  const check = await venvRun(
    venv,
    "import wrknvtest_top, wrknvtest_left, wrknvtest_right, wrknvtest_core, wrknvtest_foo_bar; print('ok')",
  );
  assert.equal(check.stdout.trim(), "ok", check.stderr);
  // Editable: a change in the sibling shows without reinstalling.
  await Deno.writeTextFile(
    join(ws.sibling("wrknvtest-core"), "src", "wrknvtest_core", "__init__.py"),
    "NAME = 'changed'\n",
  );
  assert.equal(
    (await venvRun(venv, "import wrknvtest_core as c; print(c.NAME)")).stdout.trim(),
    "changed",
  );

  const before = await snapshot(venv);
  const again = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(again.code, 0, again.stderr);
  const doc2 = JSON.parse(again.stdout);
  assert.ok(
    doc2.siblings.filter((s: { status: string }) => s.status !== "skipped").every((
      s: { status: string },
    ) => s.status === "up-to-date"),
  );
  assert.deepEqual(await snapshot(venv), before, "a re-run leaves the venv as it was");

  // Every Python process started in the venv from here on writes its command line to a log.
  const log = join(tmp.path, "pythons.log");
  const [lib] = await Array.fromAsync(Deno.readDir(join(venv, "lib")));
  await Deno.writeTextFile(
    join(venv, "lib", lib.name, "site-packages", "sitecustomize.py"),
    `import sys\nwith open(${
      JSON.stringify(log)
    }, "a") as f:\n    f.write(" ".join(sys.orig_argv[1:3]) + "\\n")\n`,
  );
  const started = async () => (await Deno.readTextFile(log).catch(() => "")).split("\n");
  const installer = (lines: string[]) => lines.filter((l) => l.startsWith("-m pip"));
  const setupOk = async () => {
    const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout).siblings.map((s: { status: string }) => s.status);
  };
  // site-packages changed (sitecustomize.py is new in it): setup asks the venv, once.
  await setupOk();
  const asked = await started();
  assert.ok(asked.length > 1, "the log works: setup probes the venv");
  assert.deepEqual(installer(asked), [], "nothing changed: no installer runs");
  assert.equal(asked.filter((l) => l.startsWith("-I -c")).length, 1, asked.join("\n"));
  // Now nothing has changed since: no Python process at all, and every sibling up to date.
  await Deno.remove(log).catch(() => {});
  assert.deepEqual((await setupOk()).filter((s: string) => s !== "skipped").length, 5);
  assert.deepEqual(await started(), [""], "a no-op setup starts no Python process");
  // A sibling uninstalled behind wrknv's back: site-packages says so, and setup installs it again.
  const uninstall = await new Deno.Command(join(venv, "bin", "python"), {
    args: ["-m", "pip", "uninstall", "-y", "-q", "wrknvtest-left"],
    stdout: "null",
    stderr: "null",
  }).output();
  assert.equal(uninstall.code, 0);
  await Deno.remove(log).catch(() => {});
  assert.ok((await setupOk()).includes("installed"));
  assert.notDeepEqual(installer(await started()), [], "the uninstalled sibling is installed again");
  assert.equal((await venvRun(venv, "import wrknvtest_left")).code, 0);
  await Deno.remove(log).catch(() => {});
  await setupOk();
  assert.deepEqual(await started(), [""], "and then nothing again");
  // A sibling's packaging file changes: the installer runs again.
  const pyproject = join(ws.sibling("wrknvtest-core"), "pyproject.toml");
  await Deno.writeTextFile(
    pyproject,
    (await Deno.readTextFile(pyproject)).replace('version = "0.1.0"', 'version = "0.2.0"'),
  );
  await Deno.remove(log).catch(() => {});
  assert.equal((await wrknv(["setup", ...OFFLINE], { cwd: ws.meta, ...offline })).code, 0);
  assert.notDeepEqual(installer(await started()), [], "a changed pyproject.toml installs again");
});

Deno.test("a dependency cycle is a clear error, exit 2, and installs nothing", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const a = await makePackageRemote(remotes, {
    name: "wrknvtest-cyc-a",
    deps: ["wrknvtest-cyc-b"],
  });
  const b = await makePackageRemote(remotes, {
    name: "wrknvtest-cyc-b",
    deps: ["wrknvtest-cyc-a"],
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "wrknvtest-cyc-a", repo: a.url }, {
    name: "wrknvtest-cyc-b",
    repo: b.url,
  }]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "error: dependency cycle: wrknvtest-cyc-a -> wrknvtest-cyc-b -> wrknvtest-cyc-a\n",
  );
  let venvExists = true;
  try {
    await Deno.stat(join(ws.meta, ".venv"));
  } catch {
    venvExists = false;
  }
  assert.equal(venvExists, false, "nothing was made");
});

Deno.test("a failing package is named in the summary; the others still install", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const good = await makePackageRemote(remotes, { name: "wrknvtest-good" });
  const bad = await makePackageRemote(remotes, {
    name: "wrknvtest-broken",
    files: {
      "pyproject.toml":
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "wrknvtest-broken"\nversion = "0.1.0"\n[tool.setuptools]\npackages = ["does_not_exist"]\n',
    },
  });
  const user = await makePackageRemote(remotes, {
    name: "wrknvtest-uses-broken",
    deps: ["wrknvtest-broken"],
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "wrknvtest-good", repo: good.url },
    { name: "wrknvtest-broken", repo: bad.url },
    { name: "wrknvtest-uses-broken", repo: user.url },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by["wrknvtest-broken"].status, "failed");
  assert.ok(by["wrknvtest-broken"].error.length > 0);
  assert.equal(by["wrknvtest-uses-broken"].status, "blocked");
  assert.equal(by["wrknvtest-good"].status, "installed");
  const human = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.match(human.stdout, /✗ wrknvtest-broken\s+failed/);
  assert.match(human.stdout, /setup incomplete: .*1 failed, 1 blocked/);
});

Deno.test("external dependencies are installed from the wheel directories, offline", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const wheels = join(tmp.path, "wheels");
  await Deno.mkdir(wheels);
  await makeWheel(wheels, "wrknvtest-extdep", "1.2.0");
  const base = await makePackageRemote(remotes, {
    name: "wrknvtest-base",
    deps: ["Wrknvtest-ExtDep>=1.0"],
  });
  const app = await makePackageRemote(remotes, {
    name: "wrknvtest-app",
    deps: ["wrknvtest-base", 'never-there>=1; sys_platform == "win32"'],
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [{ name: "wrknvtest-app", repo: app.url }, {
    name: "wrknvtest-base",
    repo: base.url,
  }], { python: 'installer = "pip"' });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE, "--find-links", wheels], {
    cwd: ws.meta,
    ...offline,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).order, [["wrknvtest-base"], ["wrknvtest-app"]]);
  const check = await venvRun(
    join(ws.meta, ".venv"),
    "import wrknvtest_app, wrknvtest_base, wrknvtest_extdep as e; print(e.VERSION)",
  );
  assert.equal(check.stdout.trim(), "1.2.0", check.stderr);
  // Without the wheel the external dependency cannot be had: the sibling that needs it fails, by name.
  await Deno.remove(join(ws.meta, ".venv"), { recursive: true });
  const missing = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(missing.code, 1);
  const by = Object.fromEntries(
    JSON.parse(missing.stdout).siblings.map((s: { name: string }) => [s.name, s]),
  );
  assert.equal(by["wrknvtest-base"].status, "blocked");
  assert.match(
    by["wrknvtest-base"].error,
    /^needs Wrknvtest-ExtDep>=1\.0, which cannot be installed: .*No matching distribution found for Wrknvtest-ExtDep/,
  );
  assert.equal(by["wrknvtest-app"].status, "blocked", "what depends on a failure is blocked");
});

/**
 * A PEP 503 index on 127.0.0.1 serving the wheels in `dir` (file names
 * `name-version-...whl`, name with underscores) and recording every request.
 */
function serveIndex(dir: string) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    const project = /^\/simple\/([^/]+)\/?$/.exec(path)?.[1];
    if (project) {
      const links: string[] = [];
      for await (const e of Deno.readDir(dir)) {
        const name = e.name.split("-")[0].replace(/_/g, "-").toLowerCase();
        if (name === project) links.push(`<a href="/files/${e.name}">${e.name}</a>`);
      }
      if (!links.length) return new Response("not found", { status: 404 });
      return new Response(`<html><body>${links.join("\n")}</body></html>`, {
        headers: { "content-type": "text/html" },
      });
    }
    const file = /^\/files\/([^/]+\.whl)$/.exec(path)?.[1];
    if (file) return new Response(await Deno.readFile(join(dir, file)));
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/simple`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

for (const installer of ["pip", "uv"]) {
  Deno.test(`${installer}: a sibling's name is never looked up on an index, though the index has it`, async () => {
    await using tmp = await tempDir();
    const remotes = join(tmp.path, "remotes");
    // The index offers a package of the sibling's name (and a plugin that needs it).
    const indexDir = join(tmp.path, "index");
    await Deno.mkdir(indexDir);
    await makeWheel(indexDir, "wrknvtest-core", "9.9.9", { code: "POISON = True\n" });
    await makeWheel(indexDir, "wrknvtest-plugin", "1.0.0", { requires: ["wrknvtest-core"] });
    await using index = serveIndex(indexDir);
    const core = await makePackageRemote(remotes, { name: "wrknvtest-core" });
    const app = await makePackageRemote(remotes, {
      name: "wrknvtest-app",
      deps: ["wrknvtest-core"],
    });
    const viaPlugin = await makePackageRemote(remotes, {
      name: "wrknvtest-uses-plugin",
      deps: ["wrknvtest-plugin"],
    });
    const alone = await makePackageRemote(remotes, { name: "wrknvtest-alone" });
    const ws = await makeWorkspace(join(tmp.path, "ws"), [
      { name: "wrknvtest-core", repo: core.url },
      { name: "wrknvtest-app", repo: app.url },
      { name: "wrknvtest-uses-plugin", repo: viaPlugin.url },
      { name: "wrknvtest-alone", repo: alone.url },
    ], { python: `installer = "${installer}"` });
    // Everything but core is cloned.
    for (const n of ["wrknvtest-app", "wrknvtest-uses-plugin", "wrknvtest-alone"]) {
      assert.equal((await wrknv(["bootstrap", "--only", n], { cwd: ws.meta })).code, 0);
    }
    // Online: the index answers (PyPI stays reachable as well; only this index has the names).
    const env = {
      PIP_CONFIG_FILE: "/dev/null",
      PIP_INDEX_URL: index.url,
      PIP_FIND_LINKS: SYSTEM_WHEELS,
      UV_NO_CONFIG: "1",
      UV_DEFAULT_INDEX: index.url,
      UV_FIND_LINKS: SYSTEM_WHEELS,
    };
    const r = await wrknv(["setup", "--json"], { cwd: ws.meta, env });
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
    assert.equal(by["wrknvtest-core"].status, "missing");
    assert.equal(
      by["wrknvtest-core"].error,
      "not cloned: run wrknv bootstrap --only wrknvtest-core",
    );
    assert.equal(by["wrknvtest-app"].status, "blocked");
    assert.equal(
      by["wrknvtest-app"].error,
      "needs wrknvtest-core; missing: run wrknv bootstrap --only wrknvtest-core",
    );
    // The plugin from the index needs core too: the clone's absence blocks it, no download.
    assert.equal(by["wrknvtest-uses-plugin"].status, "blocked");
    assert.match(
      by["wrknvtest-uses-plugin"].error,
      /^needs wrknvtest-plugin, which needs wrknvtest-core; missing: run wrknv bootstrap --only wrknvtest-core$/,
    );
    assert.equal(by["wrknvtest-alone"].status, "installed");
    assert.deepEqual(
      index.requests.filter((p) => /wrknvtest[-_]core/.test(p)),
      [],
      "the index was never asked for the sibling's name",
    );
    const check = await venvRun(
      join(ws.meta, ".venv"),
      "import importlib.util as u; print(u.find_spec('wrknvtest_core') is None)",
    );
    assert.equal(check.stdout.trim(), "True", "nothing of that name was installed");
  });
}

Deno.test("every missing external requirement is listed in one run with who wants it; only they are blocked", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const wheels = join(tmp.path, "wheels");
  await Deno.mkdir(wheels);
  // Present, but its "dev" extra needs something that is not.
  await makeWheel(wheels, "wrknvtest-present", "1.0.0", {
    requires: ['wrknvtest-miss-three; extra == "dev"'],
  });
  await makeWheel(wheels, "wrknvtest-there", "1.0.0");
  const specs = [
    { name: "wrknvtest-a", deps: ["wrknvtest-miss-one>=1"] },
    { name: "wrknvtest-b", deps: ["wrknvtest-miss-two", "wrknvtest-miss-one>=1"] },
    { name: "wrknvtest-c", deps: ["wrknvtest-present[dev]"] },
    { name: "wrknvtest-d", deps: ["wrknvtest-there"] },
    { name: "wrknvtest-e", deps: ["wrknvtest-a"] },
  ];
  const made = await Promise.all(specs.map((s) => makePackageRemote(remotes, s)));
  const ws = await makeWorkspace(
    join(tmp.path, "ws"),
    specs.map((s, i) => ({ name: s.name, repo: made[i].url })),
    { python: 'installer = "pip"' },
  );
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE, "--find-links", wheels], {
    cwd: ws.meta,
    ...offline,
  });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  const wanted = Object.fromEntries(
    doc.unavailable.map((u: { requirement: string; wanted_by: string[] }) => [
      u.requirement,
      u.wanted_by,
    ]),
  );
  assert.deepEqual(wanted, {
    "wrknvtest-miss-one>=1": ["wrknvtest-a", "wrknvtest-b"],
    "wrknvtest-miss-two": ["wrknvtest-b"],
    "wrknvtest-present[dev]": ["wrknvtest-c"],
  });
  const reason =
    doc.unavailable.find((u: { requirement: string }) => u.requirement === "wrknvtest-present[dev]")
      .reason;
  assert.match(reason, /wrknvtest-miss-three/, "the extra's missing requirement is named");
  for (const n of ["a", "b", "c"]) assert.equal(by[`wrknvtest-${n}`].status, "blocked");
  assert.match(
    by["wrknvtest-a"].error,
    /^needs wrknvtest-miss-one>=1, which cannot be installed: /,
  );
  assert.ok(by["wrknvtest-a"].log.endsWith(".wrknv/logs/wrknvtest-a.log"));
  assert.equal(by["wrknvtest-d"].status, "installed", "what needs nothing missing installs");
  assert.equal(by["wrknvtest-e"].status, "blocked");
  assert.equal(by["wrknvtest-e"].error, "depends on wrknvtest-a, which is blocked");
  const check = await venvRun(join(ws.meta, ".venv"), "import wrknvtest_d, wrknvtest_there");
  assert.equal(check.code, 0, check.stderr);
  const human = await wrknv(["setup", ...OFFLINE, "--find-links", wheels], {
    cwd: ws.meta,
    ...offline,
  });
  assert.match(human.stdout, /cannot be installed \(3\):/);
});

Deno.test("uv found at another path (a shim on one PATH, itself on another): still a no-op", async () => {
  const uv = await which("uv");
  assert.ok(uv, "uv is on PATH (.ci/run installs it)");
  await using tmp = await tempDir();
  const core = await makePackageRemote(join(tmp.path, "remotes"), { name: "wrknvtest-uvcore" });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "wrknvtest-uvcore", repo: core.url },
  ], { python: 'installer = "uv"' });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const setup = async (path: string) => {
    const r = await wrknv(["setup", "--json", ...OFFLINE], {
      cwd: ws.meta,
      ...offline,
      env: { ...OFFLINE_ENV, PATH: path },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout).siblings.map((s: { status: string }) => s.status);
  };
  const path = Deno.env.get("PATH") ?? "";
  assert.deepEqual(await setup(path), ["installed"]);
  // The same uv through a link in a directory put first on PATH.
  const bin = join(tmp.path, "bin");
  await Deno.mkdir(bin);
  await Deno.symlink(uv, join(bin, "uv"));
  assert.deepEqual(await setup(`${bin}:${path}`), ["up-to-date"]);
});
