/**
 * `deno task bench affected`: `wrknv affected` and `wrknv grep` over 100
 * Python siblings in four layers (each depending on two in the layer below),
 * one foundation sibling changed, against the floor of the same git commands
 * run by `xargs -P 8` (which knows nothing of the graph), and `wrknv status`;
 * `wrknv grep` against `xargs -P 8 git grep`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare, type Contender, report, sh } from "./harness.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100);
  const runs = Number(args[1] ?? 10);
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-affected-" });
  try {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    const env = {
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b.invalid",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b.invalid",
    };
    const names = Array.from({ length: n }, (_, i) => `pkg-${String(i).padStart(3, "0")}`);
    const layer = (i: number) => Math.floor((i * 4) / n);
    const deps = (i: number) =>
      layer(i) === 0 ? [] : [0, 1].map((k) => {
        const lo = Math.ceil(((layer(i) - 1) * n) / 4);
        const width = Math.ceil(n / 4);
        return names[lo + ((i + k) % width)];
      });
    for (const [i, name] of names.entries()) {
      const d = join(root, name);
      await Deno.mkdir(join(d, "src", name.replace("-", "_")), { recursive: true });
      await Deno.writeTextFile(
        join(d, "pyproject.toml"),
        `[project]\nname = "wrknvtest-${name}"\nversion = "0"\ndependencies = ${
          JSON.stringify(deps(i).map((x) => `wrknvtest-${x}`))
        }\n`,
      );
      await Deno.writeTextFile(join(d, "src", name.replace("-", "_"), "__init__.py"), "X = 1\n");
    }
    // Each a repository with an upstream (origin/main) that HEAD is level with.
    await sh(
      names.map((x) =>
        `(cd root/${x} && git init -q -b main && git add . && git commit -qm init && git remote add origin https://example.invalid/${x}.git && git update-ref refs/remotes/origin/main HEAD && git branch -q -u origin/main)`
      ).join(" && "),
      { cwd: dir, env },
    );
    await Deno.writeTextFile(join(root, names[1], "src/pkg_001/__init__.py"), "X = 2\n");
    const meta = join(root, "meta");
    await Deno.mkdir(meta);
    await Deno.writeTextFile(
      join(meta, "wrknv.toml"),
      `[workspace]\nname = "bench"\n` +
        names.map((x) =>
          `\n[[siblings]]\nname = "${x}"\nrepo = "https://example.invalid/${x}.git"\n`
        )
          .join(""),
    );
    const list = join(dir, "list.txt");
    await Deno.writeTextFile(list, names.map((x) => join(root, x)).join("\n") + "\n");
    const deno = Deno.execPath();
    // What wrknv runs for a sibling with no commit of its own: status, then the merge base.
    const floor =
      `git -C {} status --porcelain=v2 --branch >/dev/null && git -C {} merge-base @{upstream} HEAD >/dev/null`;
    const affected: Contender[] = [
      {
        name: "xargs -P 8 git status, git merge-base (floor, no graph)",
        cmd: ["sh", "-c", `xargs -P 8 -I{} sh -c '${floor}; true' < ${list}`],
      },
      { name: "wrknv affected", cmd: [deno, "run", "-A", MAIN, "affected"], cwd: meta },
      { name: "wrknv status", cmd: [deno, "run", "-A", MAIN, "status"], cwd: meta },
    ];
    console.log(
      `affected over ${n} siblings in 4 layers, ${runs} runs each; ${navigator.hardwareConcurrency} cores\n`,
    );
    console.log(report(await compare(affected, { runs }), affected[0].name) + "\n");
    const grep: Contender[] = [
      {
        name: "xargs -P 8 git grep (floor)",
        cmd: [
          "sh",
          "-c",
          `xargs -P 8 -I{} git -C {} grep -n -e 'X = ' < ${list} > /dev/null; true`,
        ],
      },
      { name: "wrknv grep", cmd: [deno, "run", "-A", MAIN, "grep", "-q", "X = "], cwd: meta },
    ];
    console.log(report(await compare(grep, { runs }), grep[0].name));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
