/**
 * setup's checks before any build: a sibling whose requires-python the venv
 * cannot meet fails alone; two siblings with one distribution name are an
 * error; a version from git tags in a clone without them is warned about.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { STATE_DIR, wrknv } from "./support/cli.ts";
import {
  CAN_UNSHARE,
  makePackageRemote,
  OFFLINE_ENV,
  SYSTEM_WHEELS,
  wheelhouse,
} from "./support/python.ts";

const offline = { env: OFFLINE_ENV, unshare: CAN_UNSHARE };
const OFFLINE = ["--offline", "--find-links", SYSTEM_WHEELS];

Deno.test("a sibling needing a newer Python fails alone, naming the version; validate says so too", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const specs = [
    { name: "wrknvtest-future", requiresPython: ">=3.99" },
    { name: "wrknvtest-needs-future", deps: ["wrknvtest-future"] },
    { name: "wrknvtest-today" },
    { name: "wrknvtest-also-today", deps: ["wrknvtest-today"] },
  ];
  const made = await Promise.all(specs.map((s) => makePackageRemote(remotes, s)));
  const ws = await makeWorkspace(
    join(tmp.path, "ws"),
    specs.map((s, i) => ({ name: s.name, repo: made[i].url })),
    { python: 'installer = "pip"' },
  );
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.siblings.map((s: { name: string }) => [s.name, s]));
  assert.equal(by["wrknvtest-future"].status, "failed");
  assert.equal(
    by["wrknvtest-future"].error,
    `needs Python >=3.99; the venv has ${doc.python} (set workspace.python.version to match, then run wrknv setup --recreate)`,
  );
  assert.equal(by["wrknvtest-needs-future"].status, "blocked");
  assert.equal(by["wrknvtest-needs-future"].error, "depends on wrknvtest-future, which failed");
  assert.equal(by["wrknvtest-today"].status, "installed");
  assert.equal(by["wrknvtest-also-today"].status, "installed");
  const v = JSON.parse((await wrknv(["validate", "--json"], { cwd: ws.meta })).stdout);
  const check = v.checks.find((c: { id: string; sibling?: string }) =>
    c.id === "python" && c.sibling === "wrknvtest-future"
  );
  assert.equal(check.status, "error");
  assert.match(check.message, /requires Python >=3\.99, but the venv has Python /);
});

Deno.test("two siblings with one distribution name are an error naming both, before anything is made", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const a = await makePackageRemote(remotes, { name: "wrknvtest-same" }, "one");
  // The other spells it differently: the same name once normalized (PEP 503).
  const b = await makePackageRemote(remotes, { name: "Wrknvtest_Same", module: "two" }, "two");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "one", repo: a.url },
    { name: "two", repo: b.url },
  ]);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const expected = `error: siblings "one" and "two" are both the distribution "Wrknvtest_Same" (${
    ws.sibling("one")
  } and ${ws.sibling("two")}); rename one of the projects, or set install = false on one\n`;
  for (const args of [["setup", ...OFFLINE], ["graph"]]) {
    const r = await wrknv(args, { cwd: ws.meta, ...offline });
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stderr, expected);
  }
  await assert.rejects(Deno.stat(join(ws.meta, ".venv")), Deno.errors.NotFound);
});

Deno.test("a version from git tags in a shallow clone without them is warned about, with the fix", async () => {
  await using tmp = await tempDir();
  const wheels = await wheelhouse(["setuptools>=64", "setuptools-scm>=8", "wheel"]);
  const remote = await makeRemote(join(tmp.path, "remotes"), "wrknvtest-scm", {
    files: {
      "pyproject.toml": '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n' +
        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "wrknvtest-scm"\n' +
        'dynamic = ["version"]\n\n[tool.setuptools_scm]\n',
      "wrknvtest_scm/__init__.py": "",
    },
    commits: 3,
    tags: { "v1.0.0": 0 },
  });
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "wrknvtest-scm", repo: remote.url },
  ], { python: 'installer = "pip"' });
  assert.equal((await wrknv(["bootstrap", "--depth", "1"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", "--offline", "--find-links", wheels], {
    cwd: ws.meta,
    env: { ...OFFLINE_ENV, PIP_FIND_LINKS: wheels },
    unshare: CAN_UNSHARE,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const path = ws.sibling("wrknvtest-scm");
  const text =
    `its version comes from git tags (setuptools-scm), but the shallow clone has none, so it installs as 0.1.dev0 or similar; run: git -C ${path} fetch --unshallow --tags`;
  assert.equal(JSON.parse(r.stdout).siblings[0].note, text);
  // People see it as a warning (--json keeps it in the note).
  const human = await wrknv(["setup", "--offline", "--find-links", wheels], {
    cwd: ws.meta,
    env: { ...OFFLINE_ENV, PIP_FIND_LINKS: wheels },
    unshare: CAN_UNSHARE,
  });
  assert.equal(human.code, 0, human.stdout + human.stderr);
  assert.ok(human.stderr.includes(`warning: wrknvtest-scm: ${text}\n`), human.stderr);
});

Deno.test("a setup.py-only sibling's dependencies come from its backend, cached, and order the install", async () => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const base = await makePackageRemote(remotes, { name: "wrknvtest-base" });
  const legacy = await makeRemote(remotes, "wrknvtest-legacy", {
    files: {
      "setup.py": "from setuptools import setup\n" +
        'setup(name="wrknvtest-legacy", version="0.1", packages=["wrknvtest_legacy"],\n' +
        '      install_requires=["wrknvtest-base"])\n',
      "wrknvtest_legacy/__init__.py": "",
    },
  });
  // File order puts the dependant first: only its backend can say it needs base.
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "wrknvtest-legacy", repo: legacy.url },
    { name: "wrknvtest-base", repo: base.url },
  ], { python: 'installer = "pip"' });
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).order, [["wrknvtest-base"], ["wrknvtest-legacy"]]);
  // Kept in the user's state, not in the workspace (where a forged one could be committed).
  const dir = join(STATE_DIR, "state", "metadata");
  const [file] = [...Deno.readDirSync(dir)].map((e) => join(dir, e.name));
  const cache = JSON.parse(await Deno.readTextFile(file));
  assert.equal(cache.subject, ws.config);
  assert.match(cache.entries["wrknvtest-legacy"].metadata, /Requires-Dist: wrknvtest-base/);
  // graph reads the cached metadata too.
  const g = JSON.parse((await wrknv(["graph", "--json"], { cwd: ws.meta })).stdout);
  assert.deepEqual(g.layers, [["wrknvtest-base"], ["wrknvtest-legacy"]]);
  // The order the backend gave is the one the next run starts from: nothing to do then.
  const again = await wrknv(["setup", "--json", ...OFFLINE], { cwd: ws.meta, ...offline });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(
    JSON.parse(again.stdout).siblings.map((s: { status: string }) => s.status),
    ["up-to-date", "up-to-date"],
  );
});
