/**
 * setup on packages as people write them: every common build backend
 * written the way its documentation shows (setuptools without `wheel`,
 * hatchling, flit-core, pdm-backend, poetry-core, uv_build, and maturin
 * where cargo is), a setup.cfg
 * project, and a sibling that is no Python package. Offline from a
 * wheelhouse of current backends (in a network namespace where the machine
 * allows it), online from the index, with pip and with uv.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { makeRemote } from "./support/git.ts";
import { makeWorkspace } from "./support/workspace.ts";
import { wrknv } from "./support/cli.ts";
import {
  type Backend,
  BACKEND_REQUIREMENTS,
  BUILD_SYSTEMS,
  CAN_UNSHARE,
  makePackageRemote,
  OFFLINE_ENV,
  venvRun,
  wheelhouse,
} from "./support/python.ts";

/** A Rust toolchain, for the maturin package (skipped without one, as maturin needs cargo). */
const RUST = (() => {
  try {
    return new Deno.Command("cargo", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const BACKENDS: Backend[] = [
  "setuptools",
  "hatchling",
  "flit-core",
  "pdm-backend",
  "poetry-core",
  "uv-build",
];

/** One sibling per backend, each depending on the setuptools one; a setup.cfg project; docs. */
async function ordinaryWorkspace(dir: string, installer: "pip" | "uv") {
  const remotes = join(dir, "remotes");
  const name = (b: Backend) => `wrknvtest-${b}`;
  const made = await Promise.all(BACKENDS.map((b) =>
    makePackageRemote(remotes, {
      name: name(b),
      backend: b,
      deps: b === "setuptools" ? [] : ["wrknvtest-setuptools>=0.1"],
    })
  ));
  // setup.cfg holds the metadata; pyproject.toml only the build system, as many older projects.
  const cfg = await makeRemote(remotes, "wrknvtest-cfg", {
    files: {
      "pyproject.toml":
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
      "setup.cfg": "[metadata]\nname = wrknvtest-cfg\nversion = 0.1.0\n\n[options]\n" +
        "packages = find:\ninstall_requires =\n    wrknvtest-hatchling\n",
      "wrknvtest_cfg/__init__.py": "",
    },
  });
  const docs = await makeRemote(remotes, "docs", { files: { "index.md": "# docs\n" } });
  // maturin where a Rust toolchain is: a binary crate with no dependencies (no crates to fetch).
  const rust = RUST
    ? [{
      name: "wrknvtest-maturin",
      repo: (await makeRemote(remotes, "wrknvtest-maturin", {
        files: {
          "pyproject.toml":
            `[build-system]\nrequires = [${JSON.stringify(BUILD_SYSTEMS.maturin.requires[0])}]\n` +
            `build-backend = "maturin"\n\n[project]\nname = "wrknvtest-maturin"\nversion = "0.1.0"\n\n` +
            `[tool.maturin]\nbindings = "bin"\n`,
          "Cargo.toml":
            '[package]\nname = "wrknvtest-maturin"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
          "src/main.rs": 'fn main() { println!("built by maturin"); }\n',
        },
      })).url,
    }]
    : [];
  const ws = await makeWorkspace(
    join(dir, "ws"),
    [
      { name: "wrknvtest-cfg", repo: cfg.url },
      ...BACKENDS.map((b, i) => ({ name: name(b), repo: made[i].url })),
      ...rust,
      { name: "docs", repo: docs.url },
    ],
    { python: `installer = "${installer}"` },
  );
  if (RUST) {
    // A binary, no Python module: say so, as the import check asks.
    const text = await Deno.readTextFile(ws.config);
    await Deno.writeTextFile(
      ws.config,
      text.replace(/(name = "wrknvtest-maturin"\nrepo = "[^"]+"\n)/, "$1import = []\n"),
    );
  }
  return ws;
}

async function setUpAndCheck(
  installer: "pip" | "uv",
  how: { args: string[]; env?: Record<string, string>; unshare?: boolean },
) {
  await using tmp = await tempDir();
  const ws = await ordinaryWorkspace(tmp.path, installer);
  assert.equal((await wrknv(["bootstrap"], { cwd: ws.meta })).code, 0);
  const r = await wrknv(["setup", "--json", ...how.args], {
    cwd: ws.meta,
    env: how.env,
    unshare: how.unshare,
  });
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(
    doc.siblings.map((s: { name: string; status: string }) => [s.name, s]),
  );
  assert.equal(doc.installer, installer);
  for (const b of [...BACKENDS, "cfg"]) {
    assert.equal(by[`wrknvtest-${b}`].status, "installed", JSON.stringify(by[`wrknvtest-${b}`]));
  }
  assert.equal(by.docs.status, "skipped");
  assert.equal(by.docs.note, "not a Python package (set install = false to silence)");
  assert.equal(r.code, 0, r.stderr);
  // setup.cfg's install_requires orders it after what it needs.
  const flat: string[] = doc.order.flat();
  assert.ok(flat.indexOf("wrknvtest-cfg") > flat.indexOf("wrknvtest-hatchling"), doc.order);
  const mods = [...BACKENDS, "cfg"].map((b) => `wrknvtest_${b.replace(/-/g, "_")}`);
  const check = await venvRun(join(ws.meta, ".venv"), `import ${mods.join(", ")}; print("ok")`);
  assert.equal(check.stdout.trim(), "ok", check.stderr);
  if (RUST) {
    assert.equal(by["wrknvtest-maturin"].status, "installed");
    const bin = await new Deno.Command(join(ws.meta, ".venv", "bin", "wrknvtest-maturin")).output();
    assert.equal(new TextDecoder().decode(bin.stdout), "built by maturin\n");
  }
  const v = await wrknv(["validate", "--json"], { cwd: ws.meta, env: how.env });
  const vdoc = JSON.parse(v.stdout);
  assert.equal(
    vdoc.errors,
    0,
    JSON.stringify(vdoc.checks.filter((c: { status: string }) => c.status === "error")),
  );
}

async function offline() {
  const wheels = await wheelhouse([
    ...BACKEND_REQUIREMENTS,
    ...(RUST ? BUILD_SYSTEMS.maturin.requires : []),
  ]);
  return {
    args: ["--offline", "--find-links", wheels],
    env: { ...OFFLINE_ENV, PIP_FIND_LINKS: wheels },
    unshare: CAN_UNSHARE,
  };
}

Deno.test("offline, pip: every backend, setup.cfg and a non-package, from a wheelhouse", async () => {
  await setUpAndCheck("pip", await offline());
});

Deno.test("offline, uv: every backend, setup.cfg and a non-package, from a wheelhouse", async () => {
  await setUpAndCheck("uv", await offline());
});

Deno.test("online, pip: every backend from the index", async () => {
  await setUpAndCheck("pip", { args: [] });
});

Deno.test("online, uv: every backend from the index", async () => {
  await setUpAndCheck("uv", { args: [] });
});
