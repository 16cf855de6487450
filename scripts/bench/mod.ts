/**
 * Benchmarks: `deno task bench <name>`. Each compares wrknv with the other ways
 * of doing the same job side by side in one run and prints ratios.
 *
 * @module
 */

const BENCHES: Record<
  string,
  { about: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }
> = {
  config: {
    about: "load and validate a 1,000-sibling wrknv.toml in-process",
    load: () => import("./config.ts"),
  },
  bootstrap: {
    about:
      "clone 24 repositories (proxy, cpu, large) vs xargs, vcstool, gita, mr; cold/warm cache, bytes",
    load: () => import("./bootstrap.ts"),
  },
  setup: {
    about: "13 packages, fresh venv, offline: vs the seed loop, batched pip, the floor",
    load: () => import("./setup.ts"),
  },
  validate: {
    about: "validate a 13-sibling workspace vs the seed's import loop",
    load: () => import("./validate.ts"),
  },
  scale: {
    about: "config, status, graph and validate over 5,000 siblings (goals: 300/500/500/2000 ms)",
    load: () => import("./scale.ts"),
  },
  up: {
    about: "up, setup and validate on 13 siblings with nothing to do (goal: up ≤ 1.5 s)",
    load: () => import("./up.ts"),
  },
  proc: {
    about: "run() against a bare Deno.Command().output(): 100 git status calls, pool of 8",
    load: () => import("./proc.ts"),
  },
  affected: {
    about: "affected and grep over 100 layered Python siblings vs the same git calls by xargs -P",
    load: () => import("./affected.ts"),
  },
  verify: {
    about: "verify a bundle holding one 1 GiB file vs sha256sum: time, CPU, max RSS",
    load: () => import("./verify.ts"),
  },
  status: {
    about: "status and exec over 100 siblings vs xargs -P, gita, vcstool and mr",
    load: () => import("./status.ts"),
  },
};

if (import.meta.main) {
  const [name, ...rest] = Deno.args;
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.log("usage: deno task bench <name> [options]\n");
    for (const [n, b] of Object.entries(BENCHES)) console.log(`  ${n.padEnd(10)} ${b.about}`);
    Deno.exit(name ? 2 : 0);
  }
  await (await bench.load()).run(rest);
}
