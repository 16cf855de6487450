/**
 * `init --from` on manifests shaped like big real ones (tests/fixtures/manifests:
 * a west workspace like Zephyr's, a repo client like LineageOS's), through
 * the CLI, with every entry's name, URL, revision and path checked against
 * what west and repo themselves would do; then bootstrap of an imported west
 * workspace from git daemon on 127.0.0.1: nested projects, a group off by
 * default and a pull request ref.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./support/tmp.ts";
import { commitFile, gitDaemon, gitIn, makeRemote } from "./support/git.ts";
import { wrknv } from "./support/cli.ts";

const FIXTURES = new URL("./fixtures/manifests/", import.meta.url).pathname;

interface Row {
  name: string;
  repo: string;
  path: string;
  revision: string | null;
  groups: string[];
  depth: number | null;
  within: string | null;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(join(from, e.name), join(to, e.name));
    else await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

/** The workspace as `wrknv config --json` resolves it, paths relative to `top`. */
async function siblingsOf(meta: string, top: string) {
  const r = await wrknv(["config", "--json"], { cwd: meta });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  return {
    inactive: doc.workspace.inactive_groups as string[],
    root: doc.workspace.root as string,
    rows: (doc.siblings as Row[]).map((s) => [
      s.name,
      s.repo,
      s.path.slice(top.length + 1),
      s.revision,
      s.groups.join(","),
      s.depth,
      s.within,
    ]),
  };
}

Deno.test("init --from a west workspace: remotes, repo-path, nesting, group-filter, self import", async () => {
  await using tmp = await tempDir();
  const top = join(tmp.path, "ncs");
  await copyTree(join(FIXTURES, "west-workspace"), top);
  await gitIn(join(top, "manifest"), ["init", "--quiet"]);
  const meta = join(top, "meta");
  await Deno.mkdir(meta);
  const r = await wrknv(["init", "--yes", "--from", "../manifest/west.yml"], { cwd: meta });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /wrote wrknv\.toml with 8 siblings \(4 in groups off by default: sim, optional\)/,
  );
  // What west does: url-base + "/" + repo-path or name; path default the name,
  // relative to the top (the manifest repository's parent); group-filter
  // -sim,-optional; a project in an off and an on group stays on.
  const got = await siblingsOf(meta, top);
  assert.deepEqual(got.inactive, ["sim", "optional"]);
  const h = "https://git.example.org";
  assert.deepEqual(got.rows, [
    [
      "hal_nordic",
      `${h}/rtos/hal_nordic`,
      "modules/hal/nordic",
      "3c54a3a8a6e4c3e4a8e5f0c3e1f7a9d2b4c6e8f0",
      "hal",
      null,
      null,
    ],
    ["sim_base", `${h}/sim/base`, "tools/sim/components", "v2.1", "sim", null, "sim"],
    [
      "sim_ext_phy",
      `${h}/sim/ext_phy`,
      "tools/sim/components/ext_phy",
      "main",
      "sim",
      null,
      "sim_base",
    ],
    ["sim", `${h}/rtos/sim-manifest`, "tools/sim", "stable", "sim", null, null],
    ["xenlib", `${h}/forks/xenlib.git`, "modules/lib/xenlib", "pull/104/head", "", null, null],
    ["tests-and-tee", `${h}/rtos/tests-and-tee`, "modules/tee/tests", "main", "tee", null, null],
    ["sdk", `${h}/rtos/sdk-fork`, "sdk", "main", "", 1, null],
    ["canopen", `${h}/rtos/canopen`, "modules/lib/canopen", "v1.0", "optional", null, null],
  ]);
  assert.match(
    r.stderr,
    /west\.yml: line \d+: projects\[6\] \(sdk\): the manifest it imports is not read/,
  );
  assert.match(
    r.stderr,
    /tests-and-tee is in optional, off by default, and in tee: west clones it/,
  );

  // With a .west directory, the top is the directory holding it, whatever self.path says.
  const nested = join(tmp.path, "deep");
  await copyTree(join(FIXTURES, "west-workspace"), join(nested, "apps", "ws"));
  await Deno.mkdir(join(nested, ".west"));
  await Deno.mkdir(join(nested, "meta"));
  const w = await wrknv(["init", "--yes", "--from", "../apps/ws/manifest/west.yml"], {
    cwd: join(nested, "meta"),
  });
  assert.equal(w.code, 0, w.stderr);
  const fromWest = await siblingsOf(join(nested, "meta"), nested);
  assert.equal(fromWest.rows[0][2], "modules/hal/nordic");
});

Deno.test("init --from .repo/manifest.xml: the include, refs/heads, notdefault, clone-depth, nesting", async () => {
  await using tmp = await tempDir();
  const top = join(tmp.path, "android");
  await copyTree(join(FIXTURES, "repo-client"), top);
  const manifests = join(top, ".repo", "manifests");
  await gitIn(manifests, ["init", "--quiet"]);
  await gitIn(manifests, ["remote", "add", "origin", "https://git.example.org/Lineage/android"]);
  const meta = join(top, "meta");
  await Deno.mkdir(meta);
  for (const from of ["../.repo/manifest.xml", "../.repo/manifests/default.xml"]) {
    const r = await wrknv(["init", "--yes", "--force", "--from", from], { cwd: meta });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /with 7 siblings \(1 in groups off by default: notdefault\)/);
    assert.match(r.stderr, /linkfile and copyfile not imported/);
    // repo: fetch=".." joined to the manifest repository's URL; refs/heads/X is
    // the branch X; paths relative to the directory holding .repo; the snippet
    // removes platform/art and adds its own.
    const got = await siblingsOf(meta, top);
    assert.deepEqual(got.inactive, ["notdefault"]);
    const g = "https://git.example.org/Lineage";
    assert.deepEqual(got.rows, [
      ["make", `${g}/android_build`, "build/make", "lineage-21.0", "pdk,sysui-studio", null, null],
      [
        "inner",
        `${g}/android_build_inner`,
        "build/make/tools/inner",
        "lineage-21.0",
        "",
        null,
        "make",
      ],
      [
        "darwin-x86",
        "https://android.example.org/platform/prebuilts/clang/host/darwin-x86",
        "prebuilts/clang/host/darwin-x86",
        "android-14.0.0_r67",
        "darwin,notdefault",
        1,
        null,
      ],
      [
        "chromium-webview",
        `${g}/android_external_chromium-webview`,
        "external/chromium-webview",
        "main",
        "",
        1,
        null,
      ],
      ["tag", `${g}/vendor_tag`, "vendor/tag", "v1.0", "", null, null],
      ["extra", `${g}/android_vendor_extra`, "vendor/extra", "lineage-21.0", "", null, null],
      ["art", `${g}/android_art`, "art", "lineage-21.0", "", null, null],
    ], from);
  }

  // Without an origin, relative URLs are refused in one line; --base-url resolves them.
  await gitIn(manifests, ["remote", "remove", "origin"]);
  const refused = await wrknv(["init", "--yes", "--force", "--from", "../.repo/manifest.xml"], {
    cwd: meta,
  });
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /^error: manifest\.xml: 6 entries have relative URLs \(the first: default\.xml:11: project "Lineage\/android_build": remote github, fetch=".."\) and there is no URL to resolve them against .*--base-url URL\n$/,
  );
  const given = await wrknv([
    "init",
    "--yes",
    "--force",
    "--from",
    "../.repo/manifest.xml",
    "--base-url",
    "https://mirror.example.org/Lineage/android",
  ], { cwd: meta });
  assert.equal(given.code, 0, given.stderr);
  const mirrored = await siblingsOf(meta, top);
  assert.equal(mirrored.rows[0][1], "https://mirror.example.org/Lineage/android_build");
});

Deno.test("init --from: a manifest outside the root widens it; errors name the manifest entry", async () => {
  await using tmp = await tempDir();
  const loose = join(tmp.path, "downloads", "west.yml");
  await Deno.mkdir(join(tmp.path, "downloads"));
  await Deno.writeTextFile(
    loose,
    "manifest:\n  defaults:\n    revision: main\n  projects:\n    - name: lib\n      url: https://h.invalid/lib.git\n",
  );
  const meta = join(tmp.path, "work", "ws", "meta");
  await Deno.mkdir(meta, { recursive: true });
  const r = await wrknv(["init", "--yes", "--from", loose], { cwd: meta });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: root set to "\.\.\/\.\.\/\.\." to hold the siblings of /);
  const got = await siblingsOf(meta, tmp.path);
  assert.deepEqual(got.rows.map((row) => row[2]), ["lib"]);
  // --root given: refused, naming the entry, and nothing written.
  const other = join(tmp.path, "other");
  await Deno.mkdir(other);
  const bad = await wrknv(["init", "--yes", "--root", "repos", "--from", loose], { cwd: other });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: west\.yml:5: projects\[0\] \(lib\): lies outside --root repos; leave --root out, or give one that holds \.\.\/lib\n$/,
  );
  await assert.rejects(Deno.lstat(join(other, "wrknv.toml")));
  // Two projects at one path: the error cites west.yml lines, not a wrknv.toml not yet written.
  await Deno.writeTextFile(
    loose,
    "manifest:\n  defaults:\n    revision: main\n  projects:\n    - name: a\n      url: https://h.invalid/a.git\n      path: x\n" +
      "    - name: b\n      url: https://h.invalid/b.git\n      path: x\n",
  );
  const clash = await wrknv(["init", "--yes", "--force", "--from", loose], { cwd: meta });
  assert.equal(clash.code, 2);
  assert.equal(
    clash.stderr.split("\n").filter((l) => l.startsWith("error:")).join("\n"),
    'error: west.yml:8: projects[1] (b): path: "b" has the same path as "a" (west.yml:5: projects[0] (a))',
  );
});

Deno.test("init --from a west.yml, then bootstrap from git daemon: nested, off by default, pull/N/head", async () => {
  await using tmp = await tempDir();
  const served = join(tmp.path, "served");
  const names = ["bsim", "components", "ext_phy", "hal", "xenlib"];
  const remotes = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await makeRemote(served, n)] as const)),
  );
  // xenlib's revision is a pull request: a commit no branch holds.
  const xen = remotes.xenlib;
  await gitIn(xen.work, ["checkout", "--quiet", "--detach"]);
  const pr = (await commitFile(xen.work, "PR.txt", "proposed\n", "Proposed")).trim();
  await gitIn(xen.work, ["push", "--quiet", "origin", "HEAD:refs/pull/7/head"]);
  await using daemon = await gitDaemon(served);
  const base = daemon.url("").replace(/\/$/, "");

  const top = join(tmp.path, "ws");
  await Deno.mkdir(join(top, "manifest"), { recursive: true });
  await gitIn(join(top, "manifest"), ["init", "--quiet"]);
  await Deno.writeTextFile(
    join(top, "manifest", "west.yml"),
    `manifest:
  remotes:
    - name: local
      url-base: ${base}
  defaults:
    remote: local
  group-filter: [-sim]
  projects:
    - name: sim_components
      repo-path: components.git
      path: tools/bsim/components
      groups: [sim]
    - name: sim_ext_phy
      repo-path: ext_phy.git
      path: tools/bsim/components/ext_phy
      groups: [sim]
    - name: bsim
      repo-path: bsim.git
      path: tools/bsim
      groups: [sim]
    - name: hal
      repo-path: hal.git
      revision: refs/heads/main
      path: modules/hal
    - name: xenlib
      repo-path: xenlib.git
      revision: pull/7/head
      path: modules/lib/xenlib
  self:
    path: manifest
`,
  );
  const meta = join(top, "meta");
  await Deno.mkdir(meta);
  const init = await wrknv(["init", "--yes", "--from", "../manifest/west.yml"], { cwd: meta });
  assert.equal(init.code, 0, init.stderr);
  // Make the siblings non-Python so nothing else is needed.
  const toml = await Deno.readTextFile(join(meta, "wrknv.toml"));
  await Deno.writeTextFile(
    join(meta, "wrknv.toml"),
    toml.replace(/\[\[siblings\]\]\n/g, "[[siblings]]\ninstall = false\n"),
  );

  const first = await wrknv(["bootstrap", "--json"], { cwd: meta });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const doc = JSON.parse(first.stdout);
  assert.deepEqual(
    doc.siblings.map((s: { name: string; status: string }) => [s.name, s.status]),
    [["hal", "cloned"], ["xenlib", "cloned"]],
  );
  assert.deepEqual(doc.inactive, {
    siblings: ["sim_components", "sim_ext_phy", "bsim"],
    groups: ["sim"],
  });
  assert.equal((await gitIn(join(top, "modules/lib/xenlib"), ["rev-parse", "HEAD"])).trim(), pr);
  await assert.rejects(Deno.lstat(join(top, "tools")));

  // Asked for: the off group, nested three deep, listed inner-first.
  const sim = await wrknv(["bootstrap", "--json", "--group", "+sim"], { cwd: meta });
  assert.equal(sim.code, 0, sim.stdout + sim.stderr);
  assert.deepEqual(
    JSON.parse(sim.stdout).siblings.map((s: { status: string }) => s.status),
    ["cloned", "cloned", "cloned", "present", "present"],
  );
  for (
    const [path, remote] of [
      ["tools/bsim", "bsim"],
      ["tools/bsim/components", "components"],
      ["tools/bsim/components/ext_phy", "ext_phy"],
    ] as const
  ) {
    const dir = join(top, path);
    assert.equal((await gitIn(dir, ["rev-parse", "--show-toplevel"])).trim(), dir);
    assert.equal((await gitIn(dir, ["rev-parse", "HEAD"])).trim(), remotes[remote].commits[0]);
    assert.equal((await gitIn(dir, ["status", "--porcelain"])).trim(), "", `${path} is clean`);
  }
  const st = await wrknv(["status", "--json", "--all"], { cwd: meta });
  assert.deepEqual(
    JSON.parse(st.stdout).siblings.map((s: { untracked: number }) => s.untracked),
    [0, 0, 0, 0, 0],
  );
});
