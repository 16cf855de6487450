/**
 * validate tells the whole truth, on real venvs (offline: `--offline
 * --find-links` Debian's wheels, `PIP_NO_INDEX=1` for the pip runs that
 * break the venv on purpose): versions between siblings, the extras a
 * sibling asks of another, external requirements, requires-python, and
 * imports that mean something. Each case: the exact message, the hint and
 * the exit code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { exists } from "../src/fs.ts";
import { commitFile, gitIn, makeRemote, pushAll } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import { pipInstall, validateJson as validate } from "./support/validate.ts";
import { makePackageRemote, OFFLINE, packageFiles, wheelhouse } from "./support/python.ts";

async function edit(path: string, from: string | RegExp, to: string): Promise<() => Promise<void>> {
  const before = await Deno.readTextFile(path);
  const after = before.replace(from, to);
  assert.notEqual(after, before, `${path}: nothing to replace`);
  await Deno.writeTextFile(path, after);
  return () => Deno.writeTextFile(path, before);
}

Deno.test("validate: versions, extras, external requirements, requires-python and imports, each with its message and exit code", async (t) => {
  await using tmp = await tempDir();
  const remotes = join(tmp.path, "remotes");
  const core = await makePackageRemote(remotes, {
    name: "wrknvtest-core",
    requiresPython: ">=3.8",
    extras: { all: ["wrknvtest-zstd>=1"] },
  }, "core");
  const app = await makePackageRemote(remotes, {
    name: "wrknvtest-app",
    deps: ["wrknvtest-core>=0.1"],
  }, "app");
  const ns = await makePackageRemote(remotes, {
    name: "wrknvtest-acme-widgets",
    module: "acme.widgets",
  }, "widgets");
  const docs = await makePackageRemote(remotes, {
    name: "wrknvtest-docs",
    files: {
      "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n' +
        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "wrknvtest-docs"\n' +
        'version = "1.0"\n\n[tool.setuptools]\npackages = []\n',
    },
  }, "docs");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "core", repo: core.url },
    { name: "app", repo: app.url },
    { name: "widgets", repo: ns.url },
    { name: "docs", repo: docs.url },
  ]);
  const venv = join(ws.meta, ".venv");
  const up = await wrknv(["up", ...OFFLINE], { cwd: ws.meta });
  assert.equal(up.code, 0, up.stdout + up.stderr);

  await t.step(
    "healthy: 0 errors, the new checks ok, a sibling without modules noted",
    async () => {
      const v = await validate(ws.meta);
      assert.deepEqual(v.bad(), []);
      assert.equal(v.code, 0);
      assert.equal(v.find("requirements", "app")[0].message, "1 requirement met, and theirs");
      assert.equal(v.find("requirements", "core")[0].message, "no requirements");
      assert.equal(v.find("python", "core")[0].status, "ok");
      assert.match(
        v.find("python", "core")[0].message,
        /^requires Python >=3\.8: the venv has 3\./,
      );
      assert.deepEqual(v.find("imports", "widgets").map((c) => c.message), ["import acme.widgets"]);
      assert.deepEqual(v.find("imports", "docs").map((c) => [c.status, c.message]), [[
        "info",
        "declares no modules (tool.setuptools.packages = []): no import to check",
      ]]);
    },
  );

  await t.step(
    "a sibling needing a newer sibling: an error naming both, the specifier and the version",
    async () => {
      const pyproject = join(ws.sibling("app"), "pyproject.toml");
      const undo = await edit(pyproject, "wrknvtest-core>=0.1", "wrknvtest-core>=2.0");
      await pipInstall(venv, ["-e", ws.sibling("app")]);
      const v = await validate(ws.meta);
      assert.equal(v.code, 1);
      assert.deepEqual(v.bad(), [{
        id: "requirements",
        status: "error",
        sibling: "app",
        message: "app requires wrknvtest-core>=2.0, but sibling core is wrknvtest-core 0.1.0",
        hint: `update core to a version that satisfies >=2.0: git -C ${
          ws.sibling("core")
        } pull, then wrknv setup; or relax app's requirement on wrknvtest-core (${pyproject})`,
      }]);
      const human = await wrknv(["validate"], { cwd: ws.meta });
      assert.equal(human.code, 1);
      assert.match(
        human.stdout,
        /\napp\n(?: {2}.*\n)*? {2}✗ app requires wrknvtest-core>=2\.0, but sibling core is wrknvtest-core 0\.1\.0 {2}\[requirements\]\n {6}→ update core/,
      );
      assert.match(human.stdout, /1 error, 0 warnings\n$/);

      // The hint's fix: core moves to 2.1.0 upstream; pull, then setup.
      await commitFile(
        core.work,
        "pyproject.toml",
        packageFiles({
          name: "wrknvtest-core",
          requiresPython: ">=3.8",
          extras: { all: ["wrknvtest-zstd>=1"] },
        })["pyproject.toml"].replace('version = "0.1.0"', 'version = "2.1.0"'),
        "Release 2.1.0",
      );
      await pushAll(core.work);
      await gitIn(ws.sibling("core"), ["pull", "--quiet"]);
      const pulled = await validate(ws.meta);
      assert.equal(pulled.code, 1);
      assert.deepEqual(pulled.bad().map((c) => c.hint), [
        "core's pyproject.toml says 2.1.0, but 0.1.0 is installed: run: wrknv setup",
      ]);
      const setup = await wrknv(["setup", ...OFFLINE], { cwd: ws.meta });
      assert.equal(setup.code, 0, setup.stdout + setup.stderr);
      const fixed = await validate(ws.meta);
      assert.deepEqual(fixed.bad(), []);
      assert.equal(fixed.code, 0);
      await undo();
      await pipInstall(venv, ["-e", ws.sibling("app")]);
    },
  );

  await t.step(
    "a version made without git tags, in a shallow clone, gets the unshallow fix",
    async () => {
      // What setuptools-scm or hatch-vcs install after bootstrap --depth 1: 0.1.dev1, below any release.
      const pyproject = join(ws.sibling("core"), "pyproject.toml");
      const undo = await edit(pyproject, /version = "[^"]+"/, 'version = "0.1.dev1"');
      const head = await gitIn(ws.sibling("core"), ["rev-parse", "HEAD"]);
      await Deno.writeTextFile(join(ws.sibling("core"), ".git", "shallow"), `${head}\n`);
      assert.equal(
        await gitIn(ws.sibling("core"), ["rev-parse", "--is-shallow-repository"]),
        "true",
      );
      await pipInstall(venv, ["-e", ws.sibling("core")]);
      const v = await validate(ws.meta);
      assert.equal(v.code, 1);
      assert.deepEqual(v.bad().map((c) => [c.id, c.status, c.sibling, c.message, c.hint]), [[
        "requirements",
        "error",
        "app",
        "app requires wrknvtest-core>=0.1, but sibling core is wrknvtest-core 0.1.dev1",
        `core is a shallow clone and 0.1.dev1 is what a version from git tags becomes without its tags: run git -C ${
          ws.sibling("core")
        } fetch --unshallow --tags, then wrknv setup --force`,
      ]]);
      await Deno.remove(join(ws.sibling("core"), ".git", "shallow"));
      await undo();
      await pipInstall(venv, ["-e", ws.sibling("core")]);
      assert.equal((await validate(ws.meta)).code, 0);
    },
  );

  await t.step("a sibling asking for another's extra whose dependencies are missing", async () => {
    const pyproject = join(ws.sibling("app"), "pyproject.toml");
    const undo = await edit(pyproject, '"wrknvtest-core>=0.1"', '"wrknvtest-core[all]>=0.1"');
    await pipInstall(venv, ["-e", ws.sibling("app")]);
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    assert.deepEqual(v.bad().map((c) => [c.id, c.status, c.sibling, c.message, c.hint]), [[
      "requirements",
      "error",
      "app",
      "core[all] (asked for by app) requires wrknvtest-zstd>=1, which is not installed",
      "run: wrknv setup",
    ]]);
    await undo();
    await pipInstall(venv, ["-e", ws.sibling("app")]);
    assert.equal((await validate(ws.meta)).code, 0);
  });

  await t.step(
    "an external requirement the venv holds at the wrong version, and one it lacks",
    async () => {
      const ext = join(tmp.path, "ext");
      for (
        const [file, text] of Object.entries(
          packageFiles({ name: "wrknvtest-ext", layout: "flat" }),
        )
      ) {
        await Deno.mkdir(join(ext, file, ".."), { recursive: true });
        await Deno.writeTextFile(
          join(ext, file),
          text.replace('version = "0.1.0"', 'version = "1.0"'),
        );
      }
      await pipInstall(venv, ["-e", ext]);
      const pyproject = join(ws.sibling("app"), "pyproject.toml");
      const undo = await edit(
        pyproject,
        '"wrknvtest-core>=0.1"',
        '"wrknvtest-core>=0.1", "wrknvtest-ext>=2", "wrknvtest-absent; python_version >= \\"3\\"", "wrknvtest-never; python_version < \\"3\\""',
      );
      await pipInstall(venv, ["-e", ws.sibling("app")]);
      const v = await validate(ws.meta);
      assert.equal(v.code, 1);
      assert.deepEqual(v.bad().map((c) => [c.id, c.status, c.sibling, c.message]), [
        [
          "requirements",
          "error",
          "app",
          "app requires wrknvtest-ext>=2, but the venv has wrknvtest-ext 1.0",
        ],
        ["requirements", "error", "app", "app requires wrknvtest-absent, which is not installed"],
      ]);
      await undo();
      await pipInstall(venv, ["-e", ws.sibling("app")]);

      // No sibling needs wrknvtest-ext now; what it requires is still checked, as pip check would.
      const undoExt = await edit(
        join(ext, "pyproject.toml"),
        "dependencies = []",
        'dependencies = ["wrknvtest-gone>=1"]',
      );
      await pipInstall(venv, ["-e", ext]);
      const rest = await validate(ws.meta);
      assert.equal(rest.code, 1);
      const python = join(venv, "bin", "python");
      const install = await exists(join(venv, "bin", "pip"))
        ? `${python} -m pip install`
        : `uv pip install --python ${python}`;
      assert.deepEqual(rest.bad(), [{
        id: "venv.requirements",
        status: "error",
        message: "wrknvtest-ext 1.0 requires wrknvtest-gone>=1, which is not installed",
        hint: `run: ${install} 'wrknvtest-gone>=1'`,
      }]);
      await undoExt();
      await pipInstall(venv, ["-e", ext]);
      assert.equal((await validate(ws.meta)).code, 0);
    },
  );

  await t.step(
    "a sibling needing a newer Python: an error naming the sibling and the venv's Python",
    async () => {
      const pyproject = join(ws.sibling("core"), "pyproject.toml");
      const undo = await edit(pyproject, 'requires-python = ">=3.8"', 'requires-python = ">=3.99"');
      const v = await validate(ws.meta);
      assert.equal(v.code, 1);
      const [c] = v.bad();
      assert.equal(v.bad().length, 1, JSON.stringify(v.bad()));
      assert.equal(c.id, "python");
      assert.equal(c.sibling, "core");
      assert.match(
        c.message,
        /^core requires Python >=3\.99, but the venv has Python 3\.\d+\.\d+ \(workspace\.python\.version is ">=3\.11"\)$/,
      );
      assert.equal(
        c.hint,
        `set workspace.python.version in wrknv.toml to a version that satisfies >=3.99, then run: wrknv setup --recreate (or relax requires-python in wrknvtest-core's ${pyproject})`,
      );
      await undo();
    },
  );

  await t.step("a module that imports a dependency that is missing fails, naming it", async () => {
    const init = join(ws.sibling("widgets"), "src", "acme", "widgets", "__init__.py");
    const undo = await edit(init, /^/, "import wrknvtest_missing_dep\n");
    const v = await validate(ws.meta);
    assert.equal(v.code, 1);
    assert.deepEqual(v.bad().map((c) => [c.id, c.status, c.sibling, c.message, c.hint]), [[
      "imports",
      "error",
      "widgets",
      "import acme.widgets: it imports wrknvtest_missing_dep, which is not installed (ModuleNotFoundError: No module named 'wrknvtest_missing_dep')",
      "declare the distribution that provides wrknvtest_missing_dep in wrknvtest-acme-widgets's dependencies, then run: wrknv setup",
    ]]);
    await undo();
  });

  await t.step(
    "a namespace package named in wrknv.toml is expanded into the sibling's own subpackages",
    async () => {
      const undo = await edit(
        ws.config,
        /(name = "widgets"\nrepo = "[^"]+"\n)/,
        '$1import = ["acme"]\n',
      );
      const extra = join(ws.sibling("widgets"), "src", "acme", "gadgets", "__init__.py");
      await Deno.mkdir(join(extra, ".."), { recursive: true });
      await Deno.writeTextFile(extra, "import wrknvtest_absent_too\n");
      const v = await validate(ws.meta);
      assert.equal(v.code, 1);
      assert.deepEqual(v.find("imports", "widgets").map((c) => [c.status, c.message]), [
        [
          "error",
          "import acme.gadgets: it imports wrknvtest_absent_too, which is not installed (ModuleNotFoundError: No module named 'wrknvtest_absent_too')",
        ],
        ["ok", "import acme.widgets"],
      ]);
      await Deno.remove(join(extra, ".."), { recursive: true });
      await undo();
      assert.equal((await validate(ws.meta)).code, 0);
    },
  );

  await t.step(
    "a namespace with nothing of the sibling's in it warns instead of passing",
    async () => {
      const undo = await edit(
        ws.config,
        /(name = "docs"\nrepo = "[^"]+"\n)/,
        '$1import = ["acme"]\n',
      );
      const v = await validate(ws.meta);
      assert.equal(v.code, 0);
      const [c] = v.find("imports", "docs");
      assert.equal(c.status, "warn");
      assert.equal(
        c.message,
        `import acme: a namespace package with nothing from ${ws.sibling("docs")} in it (${
          join(ws.sibling("widgets"), "src", "acme")
        })`,
      );
      await undo();
    },
  );
});

Deno.test("validate: a version from git tags, installed from a shallow clone, is found wanting, and the hint's fix works", async () => {
  // Online once per machine: setuptools-scm and a current setuptools from PyPI into a wheel
  // directory (the suite's wheelhouse); every install below is offline from it.
  await using tmp = await tempDir();
  const wheels = await wheelhouse(["setuptools>=64", "setuptools-scm>=8", "wheel"]);
  const offline = ["--offline", "--find-links", wheels];
  const remotes = join(tmp.path, "remotes");
  const core = await makeRemote(remotes, "core", {
    commits: 3,
    tags: { "v2.0.0": 0 },
    files: {
      "pyproject.toml": '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n' +
        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "wrknvtest-scm-core"\n' +
        'dynamic = ["version"]\n\n[tool.setuptools_scm]\n',
      "src/wrknvtest_scm_core/__init__.py": "",
    },
  });
  const app = await makePackageRemote(remotes, {
    name: "wrknvtest-scm-app",
    deps: ["wrknvtest-scm-core>=2.0"],
  }, "app");
  const ws = await makeWorkspace(join(tmp.path, "ws"), [
    { name: "core", repo: core.url },
    { name: "app", repo: app.url },
  ]);
  const boot = await wrknv(["bootstrap", "--depth", "1"], { cwd: ws.meta });
  assert.equal(boot.code, 0, boot.stdout + boot.stderr);
  const env = { PIP_NO_INDEX: "1", PIP_CONFIG_FILE: "/dev/null" };
  // Its exit code is setup's business here (a resolver may refuse the conflict it meets); what
  // it installed, core at the version a shallow clone gives it, is what validate judges.
  await wrknv(["setup", ...offline], { cwd: ws.meta, env });

  const v = await validate(ws.meta);
  assert.equal(v.code, 1);
  const [c] = v.find("requirements", "app");
  assert.equal(c.status, "error");
  const found = /sibling core is wrknvtest-scm-core (0\.1\.dev1\+g[0-9a-f]+)$/.exec(c.message);
  assert.ok(found, c.message);
  assert.equal(
    c.message,
    `app requires wrknvtest-scm-core>=2.0, but sibling core is wrknvtest-scm-core ${found[1]}`,
  );
  assert.equal(
    c.hint,
    `core's version comes from git tags (setuptools-scm), and its shallow clone has none to go on, so it installed as ${
      found[1]
    }: run git -C ${ws.sibling("core")} fetch --unshallow --tags, then wrknv setup --force`,
  );

  await gitIn(ws.sibling("core"), ["fetch", "--quiet", "--unshallow", "--tags"]);
  const again = await wrknv(["setup", "--force", ...offline], { cwd: ws.meta, env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const fixed = await validate(ws.meta);
  assert.deepEqual(fixed.doc.checks.filter((x) => x.status === "error"), []);
  assert.equal(fixed.code, 0);
  assert.match(
    fixed.find("venv.installed", "core")[0].message,
    /^wrknvtest-scm-core 2\.0\.1\.dev2/,
  );
});
