/** Reading pyproject.toml (fixtures in tests/fixtures/pyproject/) and finding import names: table-driven. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  discoverImportNames,
  formatRequirement,
  importHints,
  type Pyproject,
  PyprojectError,
  readPyproject,
} from "../src/python/pep.ts";
import { tempDir } from "./support/tmp.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "pyproject");

function fixture(name: string): string {
  return Deno.readTextFileSync(join(FIXTURES, name));
}

/** The parts of a Pyproject worth comparing, requirements as text. */
function summary(p: Pyproject) {
  return {
    name: p.name,
    normalized: p.normalized,
    requiresPython: p.requiresPython,
    dependencies: p.dependencies.map(formatRequirement),
    extrasAvailable: p.extrasAvailable,
    extrasUsed: p.extrasUsed,
    extrasMissing: p.extrasMissing,
    optional: p.optional.map(formatRequirement),
    groups: Object.fromEntries(
      Object.entries(p.groups).map(([k, v]) => [k, v.map(formatRequirement)]),
    ),
    dynamic: p.dynamic,
    buildBackend: p.buildBackend,
    buildRequires: p.buildRequires,
  };
}

Deno.test("readPyproject on real-world shapes", async (t) => {
  const table: [string, string[], ReturnType<typeof summary>][] = [
    ["hatchling.toml", ["dev", "typing", "gpu"], {
      name: "Provide_Testkit",
      normalized: "provide-testkit",
      requiresPython: ">=3.11",
      dependencies: ["provide-foundation>=1", "attrs>=23.1", "tomli>=2; python_version < '3.11'"],
      extrasAvailable: ["Dev", "docs", "typing", "all"],
      extrasUsed: ["Dev", "typing"],
      extrasMissing: ["gpu"],
      optional: ["pytest>=8", "provide-tools[cli]", "mypy"],
      groups: {
        lint: ["ruff", "mypy"],
        test: ["pytest-cov", "ruff", "mypy"],
        Dev_All: ["pytest-cov", "ruff", "mypy", "ipython"],
      },
      dynamic: [],
      buildBackend: "hatchling.build",
      buildRequires: ["hatchling>=1.18", "hatch-vcs"],
    }],
    ["hatchling.toml", ["ALL"], {
      name: "Provide_Testkit",
      normalized: "provide-testkit",
      requiresPython: ">=3.11",
      dependencies: ["provide-foundation>=1", "attrs>=23.1", "tomli>=2; python_version < '3.11'"],
      extrasAvailable: ["Dev", "docs", "typing", "all"],
      extrasUsed: ["all"],
      extrasMissing: [],
      // The extra that names the project itself is expanded into the extras it names.
      optional: ["mkdocs", "mkdocs-material", "mypy", "rich"],
      groups: {
        lint: ["ruff", "mypy"],
        test: ["pytest-cov", "ruff", "mypy"],
        Dev_All: ["pytest-cov", "ruff", "mypy", "ipython"],
      },
      dynamic: [],
      buildBackend: "hatchling.build",
      buildRequires: ["hatchling>=1.18", "hatch-vcs"],
    }],
    ["setuptools_dynamic.toml", ["dev"], {
      name: "legacy.lib",
      normalized: "legacy-lib",
      requiresPython: ">=3.9,<4",
      dependencies: [],
      extrasAvailable: [],
      extrasUsed: [],
      extrasMissing: ["dev"],
      optional: [],
      groups: {},
      dynamic: ["version", "dependencies", "optional-dependencies"],
      buildBackend: "setuptools.build_meta",
      buildRequires: ["setuptools>=61", "wheel"],
    }],
    ["setup_py_only.toml", ["dev"], {
      name: null,
      normalized: null,
      requiresPython: undefined,
      dependencies: [],
      extrasAvailable: [],
      extrasUsed: [],
      extrasMissing: ["dev"],
      optional: [],
      groups: {},
      dynamic: [],
      buildBackend: undefined,
      buildRequires: ["setuptools>=40.8.0", "wheel"], // PEP 518's default
    }],
    ["poetry.toml", [], {
      name: null,
      normalized: null,
      requiresPython: undefined,
      dependencies: [],
      extrasAvailable: [],
      extrasUsed: [],
      extrasMissing: [],
      optional: [],
      groups: {},
      dynamic: [],
      buildBackend: "poetry.core.masonry.api",
      buildRequires: ["poetry-core>=1.0.0"],
    }],
    ["flit.toml", ["test"], {
      name: "flit-thing",
      normalized: "flit-thing",
      requiresPython: undefined,
      dependencies: ["click>=8.0", 'Foo_Bar[extra]>=1; python_version>="3"'],
      extrasAvailable: ["test"],
      extrasUsed: ["test"],
      extrasMissing: [],
      optional: ["pytest"],
      groups: {},
      dynamic: ["version", "description"],
      buildBackend: "flit_core.buildapi",
      buildRequires: ["flit_core >=3.2,<4"],
    }],
  ];
  for (const [file, extras, want] of table) {
    await t.step(`${file} with extras ${JSON.stringify(extras)}`, () => {
      assert.deepEqual(summary(readPyproject(fixture(file), { extras })), want);
    });
  }
});

Deno.test("readPyproject: what cannot be read says where", async (t) => {
  const table: [string, RegExp][] = [
    ["bad_syntax.toml", /^line 6, column 3: /],
    [
      "bad_requirement.toml",
      /^project\.dependencies\[1\]: invalid requirement "structlog >= three": "three" is not a version$/,
    ],
    ["bad_requires_python.toml", /^project\.requires-python: "=>3\.11" is not a version clause/],
    ["group_cycle.toml", /^dependency-groups: a -> b -> a includes itself$/],
    ["group_missing.toml", /^dependency-groups\.test: no group "lint" to include$/],
  ];
  for (const [file, want] of table) {
    await t.step(file, () => {
      assert.throws(
        () => readPyproject(fixture(file), { extras: [] }),
        (e) => e instanceof PyprojectError && want.test(e.message),
      );
    });
  }
  await t.step("the syntax error carries its position", () => {
    try {
      readPyproject(fixture("bad_syntax.toml"), { extras: [] });
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof PyprojectError);
      assert.deepEqual([e.line, e.column], [6, 3]);
    }
  });
  const inline: [string, RegExp][] = [
    ['project = "x"\n', /^project must be a table$/],
    ["[project]\nname = 3\n", /^project\.name must be a string$/],
    ['[project]\ndependencies = "attrs"\n', /^project\.dependencies must be an array of strings$/],
    [
      "[project.optional-dependencies]\ndev = [1]\n",
      /^project\.optional-dependencies\.dev must be an array of strings$/,
    ],
    ['[dependency-groups]\ntest = "pytest"\n', /^dependency-groups\.test must be an array$/],
    ["[dependency-groups]\ntest = [{ a = 1 }]\n", /^dependency-groups\.test\[0\]: expected/],
    ['[dependency-groups]\ntest = ["ok", "bad req"]\n', /^dependency-groups\.test\[1\]: invalid/],
    ['[build-system]\nrequires = "setuptools"\n', /^build-system\.requires must be an array/],
  ];
  for (const [text, want] of inline) {
    await t.step(JSON.stringify(text), () => {
      assert.throws(
        () => readPyproject(text, { extras: [] }),
        (e) => e instanceof PyprojectError && want.test(e.message),
      );
    });
  }
});

Deno.test("importHints: what pyproject.toml says about where the code is", async (t) => {
  const table: [string, string, ReturnType<typeof importHints>][] = [
    ["hatch packages", fixture("hatchling.toml"), {
      names: ["provide"],
      paths: { provide: "src/provide" },
      roots: [],
    }],
    ["setuptools package-dir", fixture("setuptools_dynamic.toml"), {
      names: [],
      paths: {},
      roots: ["lib"],
    }],
    ["poetry packages", fixture("poetry.toml"), {
      names: ["poetry_app"],
      paths: { poetry_app: "src/poetry_app" },
      roots: [],
    }],
    ["flit module", fixture("flit.toml"), { names: ["flit_thing_impl"], paths: {}, roots: [] }],
    ["nothing said", fixture("setup_py_only.toml"), { names: [], paths: {}, roots: [] }],
    ["not TOML", fixture("bad_syntax.toml"), { names: [], paths: {}, roots: [] }],
    [
      "setuptools packages: the outermost only, namespaces kept dotted",
      '[tool.setuptools]\npackages = ["pkg", "pkg.sub", "ns.inner", "ns.inner.deep"]\n',
      { names: ["pkg", "ns.inner"], paths: {}, roots: [] },
    ],
    [
      "setuptools py-modules",
      '[tool.setuptools]\npy-modules = ["single", "not-a-module"]\n',
      { names: ["single"], paths: {}, roots: [] },
    ],
    [
      "setuptools find where",
      '[tool.setuptools.packages.find]\nwhere = ["python/"]\n',
      { names: [], paths: {}, roots: ["python"] },
    ],
    [
      "setuptools package-dir naming packages",
      '[tool.setuptools.package-dir]\nmypkg = "lib/mypkg"\n',
      { names: ["mypkg"], paths: {}, roots: [] },
    ],
    [
      "paths outside the project are not followed",
      '[tool.setuptools.packages.find]\nwhere = ["../elsewhere", "/abs"]\n',
      { names: [], paths: {}, roots: [] },
    ],
    ["pdm", '[tool.pdm.build]\npackage-dir = "source"\n', {
      names: [],
      paths: {},
      roots: ["source"],
    }],
    [
      "maturin",
      '[tool.maturin]\npython-source = "python"\nmodule-name = "fastthing._core"\n',
      { names: ["fastthing"], paths: {}, roots: ["python"] },
    ],
  ];
  for (const [name, text, want] of table) {
    await t.step(name, () => assert.deepEqual(importHints(text), want));
  }
});

Deno.test("import names from the layout", async (t) => {
  await using tmp = await tempDir();
  let n = 0;
  const make = async (files: Record<string, string>) => {
    const dir = join(tmp.path, `p${n++}`);
    await Deno.mkdir(dir);
    for (const [f, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, f, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, f), text);
    }
    return dir;
  };
  const files = (...paths: string[]) => Object.fromEntries(paths.map((p) => [p, ""]));
  const table: [string, Record<string, string>, string | null, string[]][] = [
    ["src layout", files("src/pkg_a/__init__.py", "tests/__init__.py"), "pkg-a", ["pkg_a"]],
    [
      "src layout ignores egg-info and caches",
      files("src/pkg_a/__init__.py", "src/pkg_a.egg-info/PKG-INFO", "src/__pycache__/x.pyc"),
      "pkg-a",
      ["pkg_a"],
    ],
    [
      "flat layout leaves out tests, docs, build",
      files(
        "flatpkg/__init__.py",
        "tests/__init__.py",
        "docs/conf.py",
        "build/lib/flatpkg/__init__.py",
        "examples/demo/__init__.py",
        "setup.py",
      ),
      "flatpkg",
      ["flatpkg"],
    ],
    [
      "namespace package under src",
      files("src/provide/foundation/__init__.py"),
      "provide-foundation",
      ["provide.foundation"],
    ],
    [
      "namespace two levels deep",
      files("src/acme/tools/cli/__init__.py"),
      "acme-tools-cli",
      ["acme.tools.cli"],
    ],
    [
      "flat namespace package picked by the project name",
      files("acme/core/__init__.py", "acme/extra/__init__.py"),
      "acme.core",
      ["acme.core"],
    ],
    ["single module", files("single.py", "setup.py", "conftest.py"), "single", ["single"]],
    ["the only module, named otherwise", files("helper.py", "noxfile.py"), "python-helper", [
      "helper",
    ]],
    ["src module", files("src/tool.py"), "tool", ["tool"]],
    ["src package named like a skipped directory", files("src/tools/__init__.py"), "tools", [
      "tools",
    ]],
    ["flat: src/ is never a namespace", files("src/x.txt", "pkg/__init__.py"), "pkg", ["pkg"]],
    ["prefers the project's package", files("alpha/__init__.py", "beta/__init__.py"), "beta", [
      "beta",
    ]],
    [
      "several packages, none named like the project",
      files("alpha/__init__.py", "beta/__init__.py"),
      "x",
      [
        "alpha",
        "beta",
      ],
    ],
    ["nothing: the project name", files("README.md"), "Some.Project-Name", ["some_project_name"]],
    ["nothing and no name", files("README.md"), null, []],
    [
      "pyproject names the package",
      {
        "pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["src/real"]\n',
        "src/real/__init__.py": "",
        "src/other/__init__.py": "",
      },
      "whatever",
      ["real"],
    ],
    [
      "pyproject's package-dir is searched instead of src",
      {
        "pyproject.toml": '[tool.setuptools]\npackage-dir = { "" = "lib" }\n',
        "lib/legacy_lib/__init__.py": "",
        "src/not_this/__init__.py": "",
      },
      "legacy.lib",
      ["legacy_lib"],
    ],
    [
      "a declared package that is a namespace gives its packages",
      {
        "pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["src/provide"]\n',
        "src/provide/foundation/__init__.py": "",
        "src/provide/foundation/core.py": "",
      },
      "provide-foundation",
      ["provide.foundation"],
    ],
    [
      "a setuptools namespace found under src",
      {
        "pyproject.toml": '[tool.setuptools]\npackages = ["acme"]\n',
        "src/acme/core/__init__.py": "",
        "src/acme/extra/__init__.py": "",
      },
      "acme",
      ["acme.core", "acme.extra"],
    ],
    [
      "a declared regular package stays as declared",
      {
        "pyproject.toml": '[tool.setuptools]\npackages = ["acme", "acme.core"]\n',
        "acme/__init__.py": "",
        "acme/core/__init__.py": "",
      },
      "acme",
      ["acme"],
    ],
    [
      "poetry's from and include",
      {
        "pyproject.toml": '[tool.poetry]\npackages = [{ include = "ns", from = "lib" }]\n',
        "lib/ns/inner/__init__.py": "",
      },
      "ns-inner",
      ["ns.inner"],
    ],
    [
      "a declared name not on disk is kept",
      { "pyproject.toml": '[tool.flit.module]\nname = "elsewhere"\n' },
      "x",
      ["elsewhere"],
    ],
    [
      "an unreadable pyproject falls back to the layout",
      { "pyproject.toml": "[oops\n", "src/pkg/__init__.py": "" },
      "pkg",
      ["pkg"],
    ],
    ["an empty directory: the project name", {}, "gone", ["gone"]],
  ];
  for (const [name, tree, project, want] of table) {
    await t.step(name, async () => {
      assert.deepEqual(await discoverImportNames(await make(tree), { project }), want);
    });
  }
});

Deno.test("readPyproject: the version the file declares, when it declares one", () => {
  const read = (body: string) => readPyproject(`[project]\nname = "x"\n${body}`, { extras: [] });
  assert.equal(read('version = "2.1.0"').version, "2.1.0");
  assert.equal(read('dynamic = ["version"]').version, undefined);
  assert.throws(() => read("version = 2"), /project\.version must be a string/);
});
