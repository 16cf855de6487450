/**
 * checkRequirements: the `pip check` question asked from the siblings
 * down, extras and markers included. Pure: tables of installed metadata.
 */
import assert from "node:assert/strict";
import {
  checkRequirements,
  type InstalledMetadata,
  unsatisfiedRequirements,
} from "../src/python/requirements.ts";
import { normalizeName } from "../src/python/pep.ts";

function venv(...dists: [string, string, string[]?, string[]?][]) {
  return new Map<string, InstalledMetadata>(
    dists.map(([name, version, requires, extras]) => [
      normalizeName(name),
      { name, version, requires: requires ?? [], extras: extras ?? [] },
    ]),
  );
}

const PY311 = { python_version: "3.11", python_full_version: "3.11.7", sys_platform: "linux" };

/** Each unmet requirement as one line: kind, by[extra], text, found, root. */
function lines(report: ReturnType<typeof checkRequirements>): string[] {
  return report.unmet.map((u) =>
    [
      u.kind,
      `${u.by}${u.extra ? `[${u.extra}]` : ""}`,
      u.text,
      u.found ?? "-",
      u.root ?? "-",
      ...(u.missingExtra ? [u.missingExtra] : []),
      ...(u.askedBy ? [`asked by ${u.askedBy}`] : []),
    ].join(" | ")
  );
}

Deno.test("checkRequirements: what is unmet, and which sibling reaches it", async (t) => {
  const cases: {
    name: string;
    dists: Map<string, InstalledMetadata>;
    roots: { dist: string; extras: string[] }[];
    want: string[];
  }[] = [
    {
      name: "a sibling needing a newer sibling",
      dists: venv(["wrknvtest-app", "0.1.0", ["wrknvtest-core>=2.0"]], ["wrknvtest-core", "0.1.0"]),
      roots: [{ dist: "wrknvtest-app", extras: [] }, { dist: "wrknvtest-core", extras: [] }],
      want: ["version | wrknvtest-app | wrknvtest-core>=2.0 | 0.1.0 | wrknvtest-app"],
    },
    {
      name: "names compare normalized; a satisfied specifier is quiet",
      dists: venv(["App", "1", ["Wrknvtest_Core (>=0.1,<1)"]], ["wrknvtest.core", "0.1.0"]),
      roots: [{ dist: "app", extras: [] }],
      want: [],
    },
    {
      name: "pre-releases and dev versions count, as pip check counts them",
      dists: venv(["a", "1", ["b>=0.1.dev0"]], ["b", "0.1.dev1+g1234"]),
      roots: [{ dist: "a", extras: [] }],
      want: [],
    },
    {
      name: "an SCM version from a shallow clone fails a real bound",
      dists: venv(["cty", "0.5.1", ["provide-foundation>=0.4.0"]], [
        "provide-foundation",
        "0.1.dev1",
      ]),
      roots: [{ dist: "cty", extras: [] }],
      want: ["version | cty | provide-foundation>=0.4.0 | 0.1.dev1 | cty"],
    },
    {
      name: "a missing external requirement, and one of the wrong version",
      dists: venv(["app", "1", ["attrs>=23", "structlog>=25"]], ["structlog", "24.1"]),
      roots: [{ dist: "app", extras: [] }],
      want: [
        "missing | app | attrs>=23 | - | app",
        "version | app | structlog>=25 | 24.1 | app",
      ],
    },
    {
      name: "markers are evaluated for the venv's interpreter",
      dists: venv(["app", "1", [
        'tomli>=1; python_version < "3.11"',
        'exceptiongroup; python_version < "3.11"',
        'uvloop; sys_platform == "win32"',
        'typing-extensions>=4; python_version >= "3.11"',
      ]]),
      roots: [{ dist: "app", extras: [] }],
      want: ['missing | app | typing-extensions>=4; python_version >= "3.11" | - | app'],
    },
    {
      name: "a requirement with an extra follows the target's extra",
      dists: venv(
        ["app", "1", ["provide-foundation[all]>=0.3"]],
        ["provide-foundation", "0.3.1", [
          "attrs",
          'zstandard; extra == "all"',
          'psutil>=5; extra == "all"',
          'httpx; extra == "http"',
        ], ["all", "http"]],
        ["attrs", "23.2"],
        ["psutil", "4.0"],
      ),
      roots: [{ dist: "app", extras: [] }, { dist: "provide-foundation", extras: [] }],
      want: [
        'missing | provide-foundation[all] | zstandard; extra == "all" | - | app | asked by app',
        'version | provide-foundation[all] | psutil>=5; extra == "all" | 4.0 | app | asked by app',
      ],
    },
    {
      name: "an extra the target does not have",
      dists: venv(["app", "1", ["core[turbo]"]], ["core", "1", [], ["all"]]),
      roots: [{ dist: "app", extras: [] }],
      want: ["no-extra | app | core[turbo] | 1 | app | turbo"],
    },
    {
      name: "a root's own extras (the workspace's) count; others do not",
      dists: venv(["app", "1", ['pytest>=8; extra == "dev"', 'sphinx; extra == "docs"'], [
        "dev",
        "docs",
      ]], ["pytest", "7.4"]),
      roots: [{ dist: "app", extras: ["dev"] }],
      want: ['version | app[dev] | pytest>=8; extra == "dev" | 7.4 | app'],
    },
    {
      name: "deep external conflicts are found and attributed to the sibling reaching them",
      dists: venv(
        ["app", "1", ["httpx"]],
        ["httpx", "0.27", ["httpcore>=1.0"]],
        ["httpcore", "0.9"],
      ),
      roots: [{ dist: "app", extras: [] }],
      want: ["version | httpx | httpcore>=1.0 | 0.9 | app"],
    },
    {
      name: "the rest of the venv is checked as pip check does, with no root",
      dists: venv(["app", "1"], ["flake8", "6.0", ["pyflakes<3.1"]], ["pyflakes", "3.2"]),
      roots: [{ dist: "app", extras: [] }],
      want: ["version | flake8 | pyflakes<3.1 | 3.2 | -"],
    },
    {
      name: "cycles end; each problem is told once",
      dists: venv(["a", "1", ["b", "zzz"]], ["b", "1", ["a", "zzz"]]),
      roots: [{ dist: "a", extras: [] }, { dist: "b", extras: [] }],
      want: ["missing | a | zzz | - | a", "missing | b | zzz | - | b"],
    },
    {
      name: "unreadable metadata is passed over, as pip passes it",
      dists: venv(["a", "1", ["not a requirement ((", "b>=1; nonsense ~~ 'x'", "c @ file:///x"]], [
        "c",
        "0",
      ]),
      roots: [{ dist: "a", extras: [] }],
      want: [],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assert.deepEqual(lines(checkRequirements(c.dists, c.roots, PY311)), c.want);
    });
  }
});

Deno.test("checkRequirements: counts each root's own applicable requirements", () => {
  const r = checkRequirements(
    venv(["app", "1", ["b", 'c; python_version < "3"', 'd; extra == "dev"'], ["dev"]], ["b", "1"], [
      "d",
      "1",
    ]),
    [{ dist: "app", extras: ["dev"] }],
    PY311,
  );
  assert.equal(r.direct.get("app"), 2);
  assert.deepEqual(r.unmet, []);
});

Deno.test("unsatisfiedRequirements: missing, too old, unreadable; markers that do not apply pass", () => {
  const dists = venv(["setuptools", "66.1.1"], ["wheel", "0.38.4"]);
  assert.deepEqual(
    unsatisfiedRequirements(
      [
        "setuptools>=61",
        "setuptools>=70",
        "wheel",
        "hatchling",
        'editables; python_version < "3"',
        "not a requirement ((",
      ],
      dists,
      PY311,
    ),
    ["setuptools>=70", "hatchling", "not a requirement (("],
  );
});
