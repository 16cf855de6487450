/**
 * Project metadata from every layout, pure: [project], Poetry, setup.cfg,
 * setup.py alone, and the core metadata a backend prepares.
 */
import assert from "node:assert/strict";
import {
  metadataFromCore,
  poetryConstraint,
  type ProjectFiles,
  projectMetadata,
  unmetPython,
} from "../src/python/metadata.ts";
import { formatRequirement } from "../src/python/pep.ts";

const files = (f: Partial<ProjectFiles>): ProjectFiles => ({
  pyproject: null,
  setupCfg: null,
  setupPy: null,
  ...f,
});
const reqs = (rs: { name: string }[]) => rs.map((r) => formatRequirement(r as never));

Deno.test("poetry constraints become PEP 440 specifiers", () => {
  const table: [string, string | null][] = [
    ["^1.2.3", ">=1.2.3,<2"],
    ["^0.2.3", ">=0.2.3,<0.3"],
    ["^0.0.3", ">=0.0.3,<0.0.4"],
    ["^0", ">=0,<1"],
    ["~1.2.3", ">=1.2.3,<1.3"],
    ["~1", ">=1,<2"],
    ["~=1.4", "~=1.4"],
    ["*", ""],
    ["", ""],
    ["1.2.3", "==1.2.3"],
    [">=1.2,<2.0", ">=1.2,<2.0"],
    [">= 1.2 < 2.0", ">=1.2,<2.0"],
    ["^1.0 || ^2.0", null],
  ];
  for (const [poetry, pep] of table) assert.equal(poetryConstraint(poetry), pep, poetry);
});

Deno.test("[tool.poetry]: dependencies, python, optional extras, groups", () => {
  const m = projectMetadata(
    files({
      pyproject: `[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"

[tool.poetry]
name = "Wrknvtest_Poetry"
version = "1.0.0"

[tool.poetry.dependencies]
python = "^3.9"
wrknvtest-core = { path = "../core", develop = true }
requests = "^2.31"
rich = { version = "~13.7", optional = true }
tomli = { version = ">=2", python = "<3.11" }

[tool.poetry.extras]
pretty = ["rich"]

[tool.poetry.group.dev.dependencies]
pytest = "^8"
`,
    }),
    { extras: ["pretty", "nope"] },
  );
  assert.equal(m.source, "poetry");
  assert.equal(m.normalized, "wrknvtest-poetry");
  assert.equal(m.requiresPython, ">=3.9,<4");
  assert.deepEqual(reqs(m.dependencies), [
    "wrknvtest-core",
    "requests>=2.31,<3",
    'tomli>=2; python_version < "3.11"',
  ]);
  assert.deepEqual(reqs(m.optional), ["rich>=13.7,<13.8"]);
  assert.deepEqual(m.extrasUsed, ["pretty"]);
  assert.deepEqual(m.extrasMissing, ["nope"]);
  assert.deepEqual(reqs(m.groups.dev), ["pytest>=8,<9"]);
  assert.equal(m.backend, "poetry.core.masonry.api");
  assert.equal(m.needsBackend, false);
});

Deno.test("setup.cfg: name, install_requires (lines, markers, comments), extras, python_requires", () => {
  const m = projectMetadata(
    files({
      pyproject: '[build-system]\nrequires = ["setuptools>=61"]\n',
      setupCfg: `[metadata]
name = wrknvtest-timeout
version = attr: wrknvtest_timeout.__version__

[options]
python_requires = >=3.8
install_requires =
    wrknvtest-core>=7.0.0  # the framework
    importlib-metadata; python_version<"3.10"

[options.extras_require]
Testing = pexpect
   wrknvtest-xdist
`,
    }),
    { extras: ["testing"] },
  );
  assert.equal(m.source, "setup.cfg");
  assert.equal(m.name, "wrknvtest-timeout");
  assert.equal(m.requiresPython, ">=3.8");
  assert.deepEqual(reqs(m.dependencies), [
    "wrknvtest-core>=7.0.0",
    'importlib-metadata; python_version<"3.10"',
  ]);
  assert.deepEqual(m.extrasUsed, ["Testing"]);
  assert.deepEqual(reqs(m.optional), ["pexpect", "wrknvtest-xdist"]);
  assert.equal(m.backend, "setuptools.build_meta:__legacy__");
  assert.equal(m.needsBackend, false);
  // One line, ";"-separated, as setuptools reads it.
  const one = projectMetadata(
    files({ setupCfg: "[metadata]\nname = x\n[options]\ninstall_requires = a; b>=1\n" }),
    { extras: [] },
  );
  assert.deepEqual(reqs(one.dependencies), ["a", "b>=1"]);
});

Deno.test("setup.py alone, or dynamic dependencies, need the backend; [project] does not", () => {
  const py = projectMetadata(files({ setupPy: "from setuptools import setup\nsetup()\n" }), {
    extras: [],
  });
  assert.equal(py.source, "none");
  assert.equal(py.name, null);
  assert.equal(py.needsBackend, true);
  assert.deepEqual(py.buildRequires, ["setuptools>=40.8.0", "wheel"]);
  const dynamic = projectMetadata(
    files({
      pyproject: '[project]\nname = "wrknvtest-dyn"\nversion = "1"\ndynamic = ["dependencies"]\n',
    }),
    { extras: [] },
  );
  assert.equal(dynamic.needsBackend, true);
  const plain = projectMetadata(
    files({ pyproject: '[project]\nname = "wrknvtest-p"\nversion = "1"\n' }),
    { extras: [] },
  );
  assert.equal(plain.source, "project");
  assert.equal(plain.needsBackend, false);
  // setup.cfg + setup.py without install_requires in setup.cfg: setup.py may say them.
  const both = projectMetadata(
    files({ setupCfg: "[metadata]\nname = wrknvtest-b\n", setupPy: "setup()" }),
    { extras: [] },
  );
  assert.equal(both.needsBackend, true);
});

Deno.test("versions from git tags are recognised by tool", () => {
  const scm = (pyproject: string, extra: Partial<ProjectFiles> = {}) =>
    projectMetadata(files({ pyproject, ...extra }), { extras: [] }).scmVersion;
  assert.equal(
    scm(
      '[build-system]\nrequires = ["setuptools>=64", "setuptools_scm>=8"]\n[project]\nname = "a"\ndynamic = ["version"]\n',
    ),
    "setuptools-scm",
  );
  assert.equal(
    scm(
      '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n[project]\nname = "a"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n',
    ),
    "hatch-vcs",
  );
  assert.equal(
    scm('[build-system]\nrequires = ["hatchling"]\n[project]\nname = "a"\nversion = "1"\n'),
    undefined,
  );
  assert.equal(
    scm('[build-system]\nrequires = ["setuptools", "setuptools-scm"]\n', {
      setupPy: "setup(use_scm_version=True)",
    }),
    "setuptools-scm",
  );
});

Deno.test("core metadata from a backend: Requires-Dist split into base and chosen extras", () => {
  const before = projectMetadata(files({ setupPy: "setup()" }), { extras: ["dev"] });
  const m = metadataFromCore(
    before,
    `Metadata-Version: 2.1
Name: wrknvtest-legacy
Version: 1.0
Requires-Python: >=3.8
Provides-Extra: dev
Provides-Extra: docs
Requires-Dist: wrknvtest-core>=1
Requires-Dist: pytest; extra == "dev"
Requires-Dist: tomli; python_version < "3.11" and extra == "dev"
Requires-Dist: sphinx; extra == "docs"

A long description: Requires-Dist: not-a-header
`,
    { extras: ["dev"] },
  );
  assert.equal(m.source, "backend");
  assert.equal(m.normalized, "wrknvtest-legacy");
  assert.equal(m.requiresPython, ">=3.8");
  assert.deepEqual(reqs(m.dependencies), ["wrknvtest-core>=1"]);
  assert.deepEqual(reqs(m.optional), ["pytest", 'tomli; python_version < "3.11"']);
  assert.deepEqual(m.extrasUsed, ["dev"]);
  assert.equal(m.needsBackend, false);
});

Deno.test("unmetPython: the spec the version misses, else null", () => {
  assert.equal(unmetPython({ requiresPython: ">=3.13" }, "3.11.7"), ">=3.13");
  assert.equal(unmetPython({ requiresPython: ">=3.8" }, "3.11.7"), null);
  assert.equal(unmetPython({}, "3.11.7"), null);
});
