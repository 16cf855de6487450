/**
 * setup on packages as people write them: every common build backend
 * written the way its documentation shows (setuptools without `wheel`,
 * hatchling, flit-core, pdm-backend, poetry-core, uv_build), a setup.cfg
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
  CAN_UNSHARE,
  makePackageRemote,
  OFFLINE_ENV,
  venvRun,
  wheelhouse,
} from "./support/python.ts";

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
  return await makeWorkspace(
    join(dir, "ws"),
    [
      { name: "wrknvtest-cfg", repo: cfg.url },
      ...BACKENDS.map((b, i) => ({ name: name(b), repo: made[i].url })),
      { name: "docs", repo: docs.url },
    ],
    { python: `installer = "${installer}"` },
  );
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
  const v = await wrknv(["validate", "--json"], { cwd: ws.meta, env: how.env });
  const vdoc = JSON.parse(v.stdout);
  assert.equal(
    vdoc.errors,
    0,
    JSON.stringify(vdoc.checks.filter((c: { status: string }) => c.status === "error")),
  );
}

async function offline() {
  const wheels = await wheelhouse(BACKEND_REQUIREMENTS);
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
