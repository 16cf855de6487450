import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { inactiveOf, selectSiblings } from "../src/ops/select.ts";
import { acquireRunLock } from "../src/ops/run_lock.ts";
import { ConfigError, WrknvError } from "../src/errors.ts";

const ws = parseConfig(
  `[workspace]\nlayers = ["base", "top"]\n` +
    ["a:base:core", "b:base:", "c:top:core", "d:top:extra"].map((spec) => {
      const [name, layer, group] = spec.split(":");
      return `[[siblings]]\nname = "${name}"\nrepo = "x"\nlayer = "${layer}"\ngroups = [${
        group ? `"${group}"` : ""
      }]\n`;
    }).join(""),
  "/w/m/wrknv.toml",
);

Deno.test("selection filters intersect and keep file order", async (t) => {
  const table: [string, Parameters<typeof selectSiblings>[1], string[]][] = [
    ["nothing selects all", {}, ["a", "b", "c", "d"]],
    ["only, in file order", { only: "c,a" }, ["a", "c"]],
    ["only with spaces", { only: " b , d " }, ["b", "d"]],
    ["group", { group: "core" }, ["a", "c"]],
    ["layer", { layer: "top" }, ["c", "d"]],
    ["group and layer", { group: "core", layer: "top" }, ["c"]],
    ["only and layer", { only: "a,b,c", layer: "base" }, ["a", "b"]],
    ["among keeps its own order", { among: ["c", "a", "ghost"] }, ["c", "a"]],
    ["among intersects", { among: ["d", "c", "a"], group: "core" }, ["c", "a"]],
    ["among empty chooses none", { among: [] }, []],
  ];
  for (const [name, sel, want] of table) {
    await t.step(name, () => assert.deepEqual(selectSiblings(ws, sel).map((s) => s.name), want));
  }
});

// Like Zephyr's west.yml: babblesim is off by default (group-filter: [-babblesim]),
// and one sibling is in an off group and an on one.
const groupsWs = parseConfig(
  `[workspace]\ninactive_groups = ["babblesim", "notdefault"]\n` +
    [
      "zephyr:",
      "hal:hal",
      "bsim:babblesim",
      "bsim_base:babblesim",
      "tools:hal,babblesim",
      "restricted:notdefault",
    ].map((spec) => {
      const [name, groups] = spec.split(":");
      const list = groups ? groups.split(",").map((g) => `"${g}"`).join(", ") : "";
      return `[[siblings]]\nname = "${name}"\nrepo = "x"\ngroups = [${list}]\n`;
    }).join(""),
  "/w/m/wrknv.toml",
);

Deno.test("groups off by default: left out unless a selection asks for them", async (t) => {
  const table: [string, Parameters<typeof selectSiblings>[1], string[]][] = [
    ["nothing selects the active ones", {}, ["zephyr", "hal"]],
    ["--all", { all: true }, ["zephyr", "hal", "bsim", "bsim_base", "tools", "restricted"]],
    ["a group by name, off ones included", { group: "babblesim" }, ["bsim", "bsim_base", "tools"]],
    ["a group that is on", { group: "hal" }, ["hal", "tools"]],
    ["+NAME adds to the active ones", { group: "+babblesim" }, [
      "zephyr",
      "hal",
      "bsim",
      "bsim_base",
      "tools",
    ]],
    ["-NAME leaves out", { group: "-hal" }, ["zephyr"]],
    ["--all and -NAME", { all: true, group: "-babblesim" }, ["zephyr", "hal", "restricted"]],
    ["comma-separated", { group: "+notdefault,-hal" }, ["zephyr", "restricted"]],
    ["repeated", { group: ["+notdefault", "+babblesim", "-babblesim"] }, [
      "zephyr",
      "hal",
      "restricted",
    ]],
    ["--only names an inactive one", { only: "bsim,zephyr" }, ["zephyr", "bsim"]],
  ];
  for (const [name, sel, want] of table) {
    await t.step(
      name,
      () => assert.deepEqual(selectSiblings(groupsWs, sel).map((s) => s.name), want),
    );
  }
  assert.deepEqual(inactiveOf(groupsWs), {
    siblings: ["bsim", "bsim_base", "tools", "restricted"],
    groups: ["babblesim", "notdefault"],
  });
  assert.deepEqual(inactiveOf(groupsWs, { group: "+babblesim" }), {
    siblings: ["restricted"],
    groups: ["notdefault"],
  });
  assert.deepEqual(inactiveOf(groupsWs, { all: true }).siblings, []);
  assert.throws(
    () => selectSiblings(groupsWs, { group: "-babelsim" }),
    (e) =>
      e instanceof ConfigError && /group "babelsim" \(did you mean "babblesim"\?\)/.test(e.message),
  );
});

Deno.test("unknown names, groups and layers are usage errors with a suggestion", () => {
  assert.throws(
    () => selectSiblings(ws, { only: "a,cc" }),
    (e) =>
      e instanceof ConfigError && e.message === '--only: unknown sibling "cc" (did you mean "c"?)',
  );
  assert.throws(
    () => selectSiblings(ws, { group: "cor" }),
    (e) => e instanceof ConfigError && /did you mean "core"/.test(e.message),
  );
  assert.throws(
    () => selectSiblings(ws, { layer: "tops" }),
    (e) => e instanceof ConfigError && /did you mean "top"/.test(e.message),
  );
  assert.throws(() => selectSiblings(ws, { only: " , " }), ConfigError);
});

Deno.test("the run lock admits one wrknv at a time and takes over a stale one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await acquireRunLock({ configDir: dir }, "bootstrap");
    await assert.rejects(
      () => acquireRunLock({ configDir: dir }, "setup"),
      (e) => e instanceof WrknvError && e.exitCode === 1 && e.message.includes(`pid ${Deno.pid}`),
    );
    await first.release();
    // A lock left by a process that is gone is taken over.
    await Deno.writeTextFile(
      join(dir, ".wrknv", "run.lock"),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import("node:os")).hostname(),
        command: "x",
        started: "then",
      }),
    );
    const second = await acquireRunLock({ configDir: dir }, "sync");
    const holder = JSON.parse(await Deno.readTextFile(join(dir, ".wrknv", "run.lock")));
    assert.equal(holder.pid, Deno.pid);
    await second.release();
    assert.equal(
      await Deno.readTextFile(join(dir, ".wrknv", ".gitignore")).then((t) => t.includes("*")),
      true,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the run lock: many taking it at once, never two holders (it is never seen half written)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let holding = 0;
    let most = 0;
    let took = 0;
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 8 }, async () => {
        let lock;
        try {
          lock = await acquireRunLock({ configDir: dir }, "add");
        } catch (error) {
          if (error instanceof WrknvError) return; // held: the others wait their turn
          throw error;
        }
        took++;
        most = Math.max(most, ++holding);
        await new Promise((r) => setTimeout(r, 1));
        holding--;
        await lock.release();
      }));
    }
    assert.equal(most, 1, "two held the lock at once");
    assert.ok(took >= 40, "one of each round took it");
    const left = [...Deno.readDirSync(join(dir, ".wrknv"))].map((e) => e.name).sort();
    assert.deepEqual(left, [".gitignore"], "nothing left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
