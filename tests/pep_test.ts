/** PEP 440, 503 and 508, and pyproject reading: table-driven. */
import assert from "node:assert/strict";
import {
  evaluateMarker,
  normalizeName,
  parseRequirement,
  parseSpecifierSet,
  readPyproject,
  satisfies,
  strictest,
} from "../src/python/pep.ts";
import { discoverImportNames } from "../src/python/imports.ts";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";

Deno.test("PEP 503 names", () => {
  const table: [string, string][] = [
    ["Foo_Bar", "foo-bar"],
    ["foo.bar", "foo-bar"],
    ["FOO--bar__baz", "foo-bar-baz"],
    ["provide-foundation", "provide-foundation"],
  ];
  for (const [name, want] of table) assert.equal(normalizeName(name), want);
});

Deno.test("PEP 440 specifiers against interpreter versions", async (t) => {
  const table: [string, string, boolean][] = [
    ["3.11.7", ">=3.11", true],
    ["3.10.13", ">=3.11", false],
    ["3.11.7", ">=3.11,<3.12", true],
    ["3.12.1", ">=3.11,<3.12", false],
    ["3.11.7", "~=3.11", true],
    ["3.12.0", "~=3.11", true],
    ["4.0.0", "~=3.11", false],
    ["3.11.7", "~=3.11.2", true],
    ["3.12.0", "~=3.11.2", false],
    ["3.11.7", "==3.11.*", true],
    ["3.12.0", "==3.11.*", false],
    ["3.12.1", "!=3.12.*", false],
    ["3.13.0", "!=3.12.*", true],
    ["3.11.0", "==3.11", true],
    ["3.11.0", "===3.11.0", true],
    ["3.11.0", "!=3.11.0", false],
    ["3.11.7", ">3.11", true],
    ["3.11.0", ">3.11", false],
    ["3.13.0rc1", ">=3.13", false],
    ["3.13.0rc1", ">=3.12", true],
    ["3.11.7", "", true],
  ];
  for (const [version, spec, want] of table) {
    await t.step(
      `${version} ${spec || "(any)"}`,
      () => assert.equal(satisfies(version, spec), want),
    );
  }
});

Deno.test("invalid specifiers say why", () => {
  const table: [string, RegExp][] = [
    [">=three", /"three" is not a version/],
    ["=>3.11", /"=>3.11" is not a version clause/],
    ["~=3", /~= needs at least two numbers/],
    [">=3.11.*", /only == and != take a \.\* wildcard/],
    ["3.11", /is not a version clause/],
  ];
  for (const [spec, want] of table) assert.throws(() => parseSpecifierSet(spec), want);
});

Deno.test("strictest requires-python", () => {
  assert.equal(strictest([">=3.8", ">=3.10", ">=3.9,<4"]), ">=3.10");
  assert.equal(strictest(["~=3.11", ">=3.10"]), "~=3.11");
  assert.equal(strictest([">=3.9", "nonsense"]), ">=3.9");
  assert.equal(strictest([]), undefined);
});

Deno.test("PEP 508 requirements", async (t) => {
  const table: [string, Partial<ReturnType<typeof parseRequirement>>][] = [
    ['Foo_Bar[extra]>=1; python_version>="3"', {
      name: "Foo_Bar",
      normalized: "foo-bar",
      extras: ["extra"],
      specifier: ">=1",
      marker: 'python_version>="3"',
    }],
    ["requests", { name: "requests", extras: [], specifier: "" }],
    ["pkg (>=1.0, <2)", { name: "pkg", specifier: ">=1.0,<2" }],
    ["pkg [ a , b ] ==1.*", { extras: ["a", "b"], specifier: "==1.*" }],
    ["pkg @ https://h/p.whl ; sys_platform == 'linux'", {
      url: "https://h/p.whl",
      marker: "sys_platform == 'linux'",
    }],
    ["zope.interface>=5", { name: "zope.interface", normalized: "zope-interface" }],
  ];
  for (const [text, want] of table) {
    await t.step(text, () => {
      const got = parseRequirement(text);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }
  for (const bad of ["", ">=1", "pkg[", "pkg >=x", "pkg ; ", "pkg @ "]) {
    assert.throws(() => parseRequirement(bad), /invalid requirement/, JSON.stringify(bad));
  }
});

Deno.test("markers", async (t) => {
  const env = { python_version: "3.11", python_full_version: "3.11.7", sys_platform: "linux" };
  const table: [string, Record<string, string>, boolean][] = [
    ['python_version >= "3.8"', env, true],
    ['python_version < "3"', env, false],
    ['python_version >= "3.10" and sys_platform == "win32"', env, false],
    ['sys_platform == "win32" or python_full_version > "3.11.2"', env, true],
    [
      '(sys_platform == "darwin" or sys_platform == "linux") and python_version != "3.9"',
      env,
      true,
    ],
    ['extra == "Dev_Tools"', { ...env, extra: "dev-tools" }, true],
    ['extra == "docs"', env, false],
    ['"linux" in sys_platform', env, true],
    ['platform_machine not in "arm64 aarch64"', { platform_machine: "x86_64" }, true],
  ];
  for (const [marker, e, want] of table) {
    await t.step(marker, () => assert.equal(evaluateMarker(marker, e), want));
  }
  assert.throws(() => evaluateMarker('python_version >= "3" and', {}), /ends too early|expected/);
});

const PYPROJECT = `
[build-system]
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "Provide_Testkit"
requires-python = ">=3.11"
dependencies = ["provide-foundation>=1", "attrs"]

[project.optional-dependencies]
Dev = ["pytest", "provide-tools[cli]"]
docs = ["mkdocs"]

[dependency-groups]
lint = ["ruff"]
test = ["pytest-cov", { include-group = "lint" }]
`;

Deno.test("readPyproject: names, extras used and missing, groups with includes, build system", () => {
  const p = readPyproject(PYPROJECT, { extras: ["dev", "typing"] });
  assert.equal(p.name, "Provide_Testkit");
  assert.equal(p.normalized, "provide-testkit");
  assert.equal(p.requiresPython, ">=3.11");
  assert.deepEqual(p.dependencies.map((d) => d.normalized), ["provide-foundation", "attrs"]);
  assert.deepEqual(p.extrasAvailable, ["Dev", "docs"]);
  assert.deepEqual(p.extrasUsed, ["Dev"], "extras match by normalized name");
  assert.deepEqual(p.extrasMissing, ["typing"]);
  assert.deepEqual(p.optional.map((d) => d.normalized), ["pytest", "provide-tools"]);
  assert.deepEqual(p.groups.test.map((d) => d.name), ["pytest-cov", "ruff"]);
  assert.equal(p.buildBackend, "hatchling.build");
  assert.deepEqual(p.buildRequires, ["hatchling>=1.18"]);
  const bare = readPyproject("[tool.x]\na = 1\n", { extras: [] });
  assert.equal(bare.name, null);
  assert.deepEqual(bare.buildRequires, ["setuptools>=40.8.0", "wheel"], "PEP 518's default");
  assert.throws(() => readPyproject("[project\n", { extras: [] }), /^Error: 1:\d+:/);
  assert.throws(
    () => readPyproject('[project]\ndependencies = "x"\n', { extras: [] }),
    /must be an array of strings/,
  );
  assert.throws(
    () => readPyproject('[dependency-groups]\na = [{ include-group = "a" }]\n', { extras: [] }),
    /includes itself/,
  );
});

Deno.test("import names from the layout", async (t) => {
  await using tmp = await tempDir();
  const make = async (dir: string, files: string[]) => {
    for (const f of files) {
      await Deno.mkdir(join(tmp.path, dir, f, ".."), { recursive: true });
      await Deno.writeTextFile(join(tmp.path, dir, f), "");
    }
    return join(tmp.path, dir);
  };
  const table: [string, string[], string | null, string[]][] = [
    ["src", ["src/pkg_a/__init__.py", "tests/__init__.py"], "pkg-a", ["pkg_a"]],
    ["flat", ["flatpkg/__init__.py", "tests/__init__.py", "docs/conf.py", "setup.py"], "flatpkg", [
      "flatpkg",
    ]],
    ["namespace", ["src/provide/foundation/__init__.py"], "provide-foundation", [
      "provide.foundation",
    ]],
    ["module", ["single.py", "setup.py"], "single", ["single"]],
    ["src module", ["src/tool.py"], "tool", ["tool"]],
    ["src package named like a skipped directory", ["src/tools/__init__.py"], "tools", ["tools"]],
    ["flat: src/ is never a namespace", ["src/x.txt", "pkg/__init__.py"], "pkg", ["pkg"]],
    ["prefers the project's package", ["alpha/__init__.py", "beta/__init__.py"], "beta", ["beta"]],
    ["nothing: the project name", ["README.md"], "Some.Project-Name", ["some_project_name"]],
  ];
  for (const [dir, files, project, want] of table) {
    await t.step(
      dir,
      async () =>
        assert.deepEqual(await discoverImportNames(await make(dir, files), { project }), want),
    );
  }
});
