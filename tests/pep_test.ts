/** PEP 503 names, PEP 440 versions and specifiers, PEP 508 requirements and markers: table-driven. */
import assert from "node:assert/strict";
import {
  compareVersions,
  evaluateMarker,
  formatRequirement,
  type MarkerEnv,
  normalizeName,
  parseMarker,
  parseRequirement,
  parseSpecifierSet,
  parseVersion,
  type Requirement,
  satisfies,
  strictest,
} from "../src/python/pep.ts";

Deno.test("PEP 503 names", async (t) => {
  const table: [string, string][] = [
    ["Foo_Bar", "foo-bar"],
    ["foo.bar", "foo-bar"],
    ["FOO--bar__baz", "foo-bar-baz"],
    ["foo-._bar", "foo-bar"],
    ["provide-foundation", "provide-foundation"],
    ["Provide.Foundation", "provide-foundation"],
    ["a", "a"],
  ];
  for (const [name, want] of table) {
    await t.step(name, () => assert.equal(normalizeName(name), want));
  }
});

Deno.test("PEP 440 versions: spellings and order", async (t) => {
  await t.step("spellings", () => {
    const table: [string, ReturnType<typeof parseVersion>][] = [
      ["3.11.7", { epoch: 0, release: [3, 11, 7] }],
      ["v3.11", { epoch: 0, release: [3, 11] }],
      ["1!2.0", { epoch: 1, release: [2, 0] }],
      ["3.13.0rc1", { epoch: 0, release: [3, 13, 0], pre: ["rc", 1] }],
      ["3.13.0-RC.1", { epoch: 0, release: [3, 13, 0], pre: ["rc", 1] }],
      ["1.0alpha", { epoch: 0, release: [1, 0], pre: ["a", 0] }],
      ["1.0c2", { epoch: 0, release: [1, 0], pre: ["rc", 2] }],
      ["1.0.post2", { epoch: 0, release: [1, 0], post: 2 }],
      ["1.0-3", { epoch: 0, release: [1, 0], post: 3 }],
      ["1.0rev", { epoch: 0, release: [1, 0], post: 0 }],
      ["1.0.dev4", { epoch: 0, release: [1, 0], dev: 4 }],
      ["1.0a1.post2.dev3", { epoch: 0, release: [1, 0], pre: ["a", 1], post: 2, dev: 3 }],
      ["1.0+Ubuntu-1", { epoch: 0, release: [1, 0], local: "ubuntu.1" }],
      ["3.14.0a1+", { epoch: 0, release: [3, 14, 0], pre: ["a", 1] }],
      ["three", null],
      ["3.11.", null],
      ["", null],
    ];
    for (const [text, want] of table) assert.deepEqual(parseVersion(text), want, text);
  });
  await t.step("order", () => {
    const ascending = [
      "1.0.dev1",
      "1.0a1.dev1",
      "1.0a1",
      "1.0a2",
      "1.0b1",
      "1.0rc1",
      "1.0",
      "1.0+local",
      "1.0.post1.dev1",
      "1.0.post1",
      "1.0.1",
      "1.1",
      "1!0.1",
    ];
    for (let i = 0; i < ascending.length - 1; i++) {
      assert.equal(compareVersions(ascending[i], ascending[i + 1]), -1, `${ascending[i]} < next`);
      assert.equal(
        compareVersions(ascending[i + 1], ascending[i]),
        1,
        `${ascending[i + 1]} > prev`,
      );
    }
    assert.equal(compareVersions("3.11", "3.11.0.0"), 0, "trailing zeros do not count");
    assert.throws(() => compareVersions("3.x", "3"), /"3\.x" is not a version/);
  });
});

Deno.test("PEP 440 specifiers against interpreter versions", async (t) => {
  const table: [string, string, boolean][] = [
    ["3.11.7", ">=3.11", true],
    ["3.10.13", ">=3.11", false],
    ["3.11.7", ">=3.11,<3.12", true],
    ["3.11.7", ">= 3.11 , < 3.12", true],
    ["3.12.1", ">=3.11,<3.12", false],
    ["3.11.7", "<=3.11", false],
    ["3.11.0", "<=3.11", true],
    ["3.11.7", "~=3.11", true],
    ["3.12.0", "~=3.11", true],
    ["3.10.9", "~=3.11", false],
    ["4.0.0", "~=3.11", false],
    ["3.11.7", "~=3.11.2", true],
    ["3.11.1", "~=3.11.2", false],
    ["3.12.0", "~=3.11.2", false],
    ["3.11.7", "==3.11.*", true],
    ["3.11", "==3.11.*", true],
    ["3.12.0", "==3.11.*", false],
    ["3.1.0", "==3.11.*", false],
    ["3.110.0", "==3.11.*", false],
    ["3.12.1", "!=3.12.*", false],
    ["3.13.0", "!=3.12.*", true],
    ["3.12.1", "!=3.12.1", false],
    ["3.12.2", "!=3.12.1", true],
    ["3.11.0", "==3.11", true],
    ["3.11.1", "==3.11", false],
    ["3.11.0+local", "==3.11.0", true],
    ["3.11.0+local", "==3.11.0+other", false],
    ["3.11.0", "===3.11.0", true],
    ["3.11", "===3.11.0", false],
    ["3.11.7", ">3.11", true],
    ["3.11.0", ">3.11", false],
    ["3.11.post1", ">3.11", false],
    ["3.11.0+local", ">3.11", false],
    ["3.13.0rc1", ">=3.13", false],
    ["3.13.0rc1", ">=3.12", true],
    ["3.13.0rc1", "<3.13", false],
    ["3.13.0rc1", "<3.13.0rc2", true],
    ["3.12.9", "<3.13", true],
    ["1!1.0", ">=2.0", true],
    ["3.11.7", "", true],
    ["3.14.0a1+", ">=3.13", true],
    ["not-a-version", ">=3", false],
  ];
  for (const [version, spec, want] of table) {
    await t.step(
      `${version} ${spec || "(any)"}`,
      () => assert.equal(satisfies(version, spec), want),
    );
  }
});

Deno.test("specifier sets: clauses, and invalid ones say why", async (t) => {
  assert.deepEqual(parseSpecifierSet(" >= 3.11 , <3.14 "), [
    { op: ">=", version: "3.11" },
    { op: "<", version: "3.14" },
  ]);
  assert.deepEqual(parseSpecifierSet(""), []);
  const good = ["~=3.11", "==3.11.*", "!=3.12.1", "===3.11", "==1!2.*", "==1.0+local", "<3.14rc1"];
  for (const spec of good) {
    await t.step(spec, () => assert.equal(parseSpecifierSet(spec).length, 1));
  }
  const bad: [string, RegExp][] = [
    [">=three", /"three" is not a version/],
    ["=>3.11", /"=>3\.11" is not a version clause such as >=3\.11 \(did you mean ">=3\.11"\?\)/],
    ["=3.11", /did you mean "==3\.11"/],
    ["~=3", /~= needs at least two numbers/],
    [">=3.11.*", /only == and != take a \.\* wildcard/],
    ["~=3.11.*", /only == and != take a \.\* wildcard/],
    ["==3.11rc1.*", /a \.\* wildcard follows release numbers only/],
    [">=3.11+local", /only == and != take a local version/],
    ["3.11", /"3\.11" is not a version clause/],
    [">=3.11,", /empty clause in ">=3\.11,"/],
    [">=3.11 <4", /is not a version clause|is not a version/],
  ];
  for (const [spec, want] of bad) {
    await t.step(`invalid: ${spec}`, () => assert.throws(() => parseSpecifierSet(spec), want));
  }
});

Deno.test("strictest requires-python: the highest lower bound", async (t) => {
  const table: [string[], string | undefined][] = [
    [[">=3.8", ">=3.10", ">=3.9,<4"], ">=3.10"],
    [["~=3.11", ">=3.10"], "~=3.11"],
    [[">=3.11", "~=3.11"], ">=3.11"],
    [[">=3.11", ">3.11"], ">3.11"],
    [["==3.12.*", ">=3.11"], "==3.12.*"],
    [["<4", ">=3.9"], ">=3.9"],
    [["<4", "!=3.10.*"], "<4"],
    [[">=3.9", "nonsense"], ">=3.9"],
    [["nonsense"], undefined],
    [[" >=3.12 "], ">=3.12"],
    [[], undefined],
  ];
  for (const [specs, want] of table) {
    await t.step(JSON.stringify(specs), () => assert.equal(strictest(specs), want));
  }
});

Deno.test("PEP 508 requirements", async (t) => {
  const table: [string, Partial<Requirement>][] = [
    ['Foo_Bar[extra]>=1; python_version>="3"', {
      name: "Foo_Bar",
      normalized: "foo-bar",
      extras: ["extra"],
      specifier: ">=1",
      marker: 'python_version>="3"',
    }],
    ["requests", { name: "requests", normalized: "requests", extras: [], specifier: "" }],
    ["  requests  ", { name: "requests", specifier: "" }],
    ["pkg (>=1.0, <2)", { name: "pkg", specifier: ">=1.0,<2" }],
    ["pkg(>=1)", { name: "pkg", specifier: ">=1" }],
    ["pkg [ a , b ] ==1.*", { extras: ["a", "b"], specifier: "==1.*" }],
    ["pkg[]", { extras: [], specifier: "" }],
    ["pkg >= 1.0 , != 1.5", { specifier: ">=1.0,!=1.5" }],
    ["pkg @ https://h/p.whl ; sys_platform == 'linux'", {
      url: "https://h/p.whl",
      specifier: "",
      marker: "sys_platform == 'linux'",
    }],
    ["pkg@git+https://h/r.git@v1;x=1", { url: "git+https://h/r.git@v1;x=1" }],
    ["pkg[cli] @ file:///tmp/pkg", { extras: ["cli"], url: "file:///tmp/pkg" }],
    ["zope.interface>=5", { name: "zope.interface", normalized: "zope-interface" }],
    ['pkg;python_version<"3.12"', { specifier: "", marker: 'python_version<"3.12"' }],
  ];
  for (const [text, want] of table) {
    await t.step(text, () => {
      const got = parseRequirement(text);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }
  const bad: [string, RegExp][] = [
    ["", /invalid requirement "": it is empty/],
    [">=1", /invalid requirement ">=1": it does not start with a package name/],
    ["pkg[", /a \[ is not closed/],
    ["pkg[a b]", /"a b" is not an extra name/],
    ["pkg >=x", /invalid requirement "pkg >=x": "x" is not a version/],
    ["pkg (>=1", /a \( is not closed/],
    ["pkg ; ", /nothing after ;/],
    ["pkg @ ", /no URL after @/],
    ["pkg @ not a url", /is not a URL/],
    ["pkg foo", /"foo" is not a version clause/],
    ['pkg; python_version >= "3" and', /it ends too early/],
    ["pkg; os_name", /it ends too early/],
  ];
  for (const [text, want] of bad) {
    await t.step(`invalid: ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseRequirement(text), want);
    });
  }
});

Deno.test("requirements print back as PEP 508 and parse to the same", async (t) => {
  const table = [
    'Foo_Bar[a,b]>=1,<2; python_version >= "3.8"',
    "pkg @ https://h/p.whl",
    "pkg[cli] @ file:///tmp/pkg ; sys_platform == 'linux'",
    "plain",
  ];
  for (const text of table) {
    await t.step(text, () => {
      const r = parseRequirement(text);
      assert.deepEqual(parseRequirement(formatRequirement(r)), r);
    });
  }
});

Deno.test("markers", async (t) => {
  const env: MarkerEnv = {
    python_version: "3.11",
    python_full_version: "3.11.7",
    sys_platform: "linux",
  };
  const table: [string, MarkerEnv, boolean][] = [
    ['python_version >= "3.8"', env, true],
    ['python_version < "3"', env, false],
    ['python_version > "3.9"', env, true],
    ['python_version == "3.1"', env, false],
    ['python_version >= "3.10"', { python_version: "3.9" }, false],
    ['python_version == "3.11.*"', env, true],
    ['python_version ~= "3.10"', env, true],
    ['"3.8" <= python_version', env, true],
    ['python_full_version >= "3.11.2"', env, true],
    ['python_full_version < "3.11.2"', { python_full_version: "3.11.1" }, true],
    ['python_version == "3.12"', { python_full_version: "3.12.4" }, true],
    ['python_full_version >= "3.12.1"', { python_version: "3.12" }, false],
    ['python_version >= "3.10" and sys_platform == "win32"', env, false],
    ['sys_platform == "win32" or python_full_version > "3.11.2"', env, true],
    [
      '(sys_platform == "darwin" or sys_platform == "linux") and python_version != "3.9"',
      env,
      true,
    ],
    ['sys_platform == "darwin" or sys_platform == "linux" and python_version < "3"', env, false],
    ['(sys_platform == "darwin" or sys_platform == "linux") and python_version < "3"', env, false],
    ['platform_system == "Windows"', {}, false],
    ['platform_system == "Linux"', {}, true],
    ['os_name == "nt"', { os_name: "nt" }, true],
    ["os.name == 'posix'", {}, true],
    ['implementation_name == "pypy"', {}, false],
    ['platform_python_implementation == "CPython"', {}, true],
    ['python_implementation == "CPython"', {}, true],
    ['platform_machine == "aarch64"', { platform_machine: "aarch64" }, true],
    ['platform_machine not in "arm64 aarch64"', { platform_machine: "x86_64" }, true],
    ['"linux" in sys_platform', env, true],
    ['platform_release >= "5.10"', { platform_release: "5.15.0-91-generic" }, true],
    ['sys_platform >= "linux"', env, true],
    ['extra == "Dev_Tools"', { extra: "dev-tools" }, true],
    ['extra == "docs"', env, false],
    ['extra == "docs"', { extra: "docs" }, true],
    ['python_version >= "3" and extra == "docs"', { extra: "docs" }, true],
    ['some_future_variable == "x"', env, true],
    ['some_future_variable == "x" and python_version < "3"', env, false],
    ['sys_platform ~= "linux"', env, true],
  ];
  for (const [marker, e, want] of table) {
    await t.step(`${marker} ${JSON.stringify(e)}`, () => {
      assert.equal(evaluateMarker(marker, e), want);
    });
  }
  const bad: [string, RegExp][] = [
    ['python_version >= "3" and', /ends too early/],
    ['python_version "3"', /expected an operator/],
    ['(python_version >= "3"', /a \( is not closed/],
    ['python_version >= "3")', /unexpected "\)"/],
    ['python_version >= "3', /cannot read/],
    ["", /it is empty/],
    ['== "3"', /expected a variable or a quoted string/],
  ];
  for (const [marker, want] of bad) {
    await t.step(`invalid: ${marker}`, () => {
      assert.throws(() => parseMarker(marker), want);
      assert.throws(() => evaluateMarker(marker, {}), want);
    });
  }
});
