/**
 * `deno task bench status`: `wrknv status` and `wrknv exec -- true` over 100
 * siblings, against an `xargs -P` floor, `gita ll`, `vcs status` and
 * `mr -j status`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeMain, compare, type Contender, ensureApt, report, sh } from "./harness.ts";
import { STATUS_ARGS } from "../../src/git/mod.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Run the benchmark. */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100);
  const runs = Number(args[1] ?? 10);
  const jobs = 8;
  await ensureApt({ gita: "gita", vcs: "vcstool", mr: "myrepos" });
  const dir = await Deno.makeTempDir({ prefix: "wrknv-bench-status-" });
  try {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    const env = {
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b.invalid",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b.invalid",
    };
    // One repository with some history and a dirty file, copied n times.
    await sh(
      "git init -q -b main seed && cd seed && for i in 1 2 3 4 5; do echo $i > f$i.txt; git add .; git commit -qm c$i; done && echo x > f1.txt && echo y > new.txt",
      { cwd: dir, env },
    );
    const names = Array.from({ length: n }, (_, i) => `repo-${String(i).padStart(3, "0")}`);
    await sh(names.map((name) => `cp -r seed root/${name}`).join(" && "), { cwd: dir });
    const meta = join(root, "meta");
    await Deno.mkdir(meta);
    await Deno.writeTextFile(
      join(meta, "wrknv.toml"),
      `[workspace]\nname = "bench"\n` +
        names.map((name) =>
          `\n[[siblings]]\nname = "${name}"\nrepo = "https://example.invalid/${name}.git"\n`
        ).join(""),
    );
    // gita: its own config directory.
    const home = join(dir, "home");
    await Deno.mkdir(home);
    const peerEnv = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
    await sh(`gita add ${names.map((x) => join(root, x)).join(" ")} > /dev/null`, { env: peerEnv });
    // mr: a config in HOME is trusted.
    await Deno.writeTextFile(
      join(home, ".mrconfig"),
      names.map((x) => `[${join(root, x)}]\n`).join("\n"),
    );
    const list = join(dir, "list.txt");
    await Deno.writeTextFile(list, names.map((x) => join(root, x)).join("\n") + "\n");

    const deno = Deno.execPath();
    const before = beforeMain();
    const statusContenders: Contender[] = [
      {
        name: `xargs -P ${jobs} git status (floor)`,
        cmd: [
          "sh",
          "-c",
          `xargs -P ${jobs} -I{} git -C {} status --porcelain=v2 --branch < ${list} > /dev/null`,
        ],
      },
      {
        // The floor with the arguments wrknv gives git (--show-stash, no optional locks):
        // what git itself costs, apart from wrknv.
        name: `xargs -P ${jobs} git (wrknv's args)`,
        cmd: [
          "sh",
          "-c",
          `xargs -P ${jobs} -I{} git -C {} ${STATUS_ARGS.join(" ")} < ${list} > /dev/null`,
        ],
      },
      { name: "wrknv status", cmd: [deno, "run", "-A", MAIN, "status"], cwd: meta },
      ...(before
        ? [{ name: "wrknv before status", cmd: [deno, "run", "-A", before, "status"], cwd: meta }]
        : []),
      { name: "gita ll", cmd: ["gita", "ll"], env: peerEnv },
      { name: "vcs status", cmd: ["vcs", "status", root] },
      {
        name: `mr -j ${jobs} status`,
        cmd: ["mr", "-j", String(jobs), "status"],
        cwd: root,
        env: peerEnv,
      },
    ];
    console.log(
      `status over ${n} siblings, ${runs} runs each, round robin; ${navigator.hardwareConcurrency} cores; load average ${await load()}\n`,
    );
    const s = await compare(statusContenders, { runs });
    console.log(report(s, statusContenders[0].name) + `\nload average ${await load()}\n`);

    const execContenders: Contender[] = [
      {
        name: `xargs -P 4 true (floor)`,
        cmd: ["sh", "-c", `xargs -P 4 -I{} sh -c 'cd {} && true' < ${list}`],
      },
      {
        // Each command in a session of its own, as wrknv runs them (the process group that
        // lets a signal end all of a command's children): the setsid program, then true.
        name: `xargs -P 4 setsid true (session floor)`,
        cmd: ["sh", "-c", `xargs -P 4 -n1 setsid true < ${list}`],
      },
      {
        name: "wrknv exec -- true",
        cmd: [deno, "run", "-A", MAIN, "exec", "-q", "--", "true"],
        cwd: meta,
      },
      ...(before
        ? [{
          name: "wrknv before exec -- true",
          cmd: [deno, "run", "-A", before, "exec", "-q", "--", "true"],
          cwd: meta,
        }]
        : []),
      { name: `mr -j 4 run true`, cmd: ["mr", "-j", "4", "run", "true"], cwd: root, env: peerEnv },
    ];
    const e = await compare(execContenders, { runs });
    console.log(report(e, execContenders[0].name) + `\nload average ${await load()}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The load averages (1, 5, 15 minutes), as /proc/loadavg gives them. */
async function load(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
