import assert from "node:assert/strict";
import { InterruptedError, WrknvError } from "../src/errors.ts";
import { pool, run, splitLines, which } from "../src/proc/mod.ts";
import { tempDir } from "./support/tmp.ts";
import { isAlive, waitDead } from "./support/procs.ts";

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...]. */
async function statFields(pid: number | "self"): Promise<string[]> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

// A shell whose children are a background sleep (a grandchild of wrknv) and a
// foreground sleep; it prints both pids so the test can watch them.
const TREE = "sleep 100 & echo bg $!; sleep 100 & echo fg $!; wait";

function pidsFrom(lines: string[]): number[] {
  return lines.map((l) => /^(?:bg|fg) (\d+)$/.exec(l)).filter((m) => m !== null).map((m) =>
    Number(m![1])
  );
}

Deno.test("run captures stdout, stderr and the exit code", async () => {
  const r = await run(["sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal(r.code, 3);
  assert.equal(r.signal, null);
  assert.equal(r.stdout, "out\n");
  assert.equal(r.stderr, "err\n");
  assert.equal(r.timedOut, false);
  assert.equal(r.aborted, false);
  assert.ok(r.durationMs >= 0);
});

Deno.test("a missing program or directory is a clear WrknvError, not a stack trace", async () => {
  await assert.rejects(
    run(["wrknv-no-such-program-xyz", "--version"]),
    (e: unknown) =>
      e instanceof WrknvError && e.message === "wrknv-no-such-program-xyz not found on PATH",
  );
  await assert.rejects(
    run(["/nonexistent/bin/tool"]),
    (e: unknown) => e instanceof WrknvError && e.message === "/nonexistent/bin/tool does not exist",
  );
  await assert.rejects(
    run(["true"], { cwd: "/nonexistent-dir-xyz" }),
    (e: unknown) =>
      e instanceof WrknvError &&
      e.message === "Working directory /nonexistent-dir-xyz does not exist",
  );
  await using tmp = await tempDir();
  const file = `${tmp.path}/not-executable`;
  await Deno.writeTextFile(file, "#!/bin/sh\n");
  await Deno.chmod(file, 0o644);
  await assert.rejects(
    run([file]),
    (e: unknown) => e instanceof WrknvError && /permission denied/.test(e.message),
  );
  await assert.rejects(run([]), WrknvError);
});

Deno.test("env merges over the environment, undefined removes", async () => {
  Deno.env.set("WRKNV_TEST_INHERITED", "inherited");
  Deno.env.set("WRKNV_TEST_REMOVED", "present");
  try {
    const script =
      'echo "${WRKNV_TEST_INHERITED-unset} ${WRKNV_TEST_REMOVED-unset} ${WRKNV_TEST_ADDED-unset}"';
    const merged = await run(["sh", "-c", script], { env: { WRKNV_TEST_ADDED: "added" } });
    assert.equal(merged.stdout, "inherited present added\n");
    const removed = await run(["sh", "-c", script], {
      env: { WRKNV_TEST_REMOVED: undefined, WRKNV_TEST_ADDED: "added" },
    });
    assert.equal(removed.stdout, "inherited unset added\n");
  } finally {
    Deno.env.delete("WRKNV_TEST_INHERITED");
    Deno.env.delete("WRKNV_TEST_REMOVED");
  }
});

Deno.test("stdin: a string is piped in, large input does not deadlock, default is null", async () => {
  const small = await run(["cat"], { stdin: "hello\nworld" });
  assert.equal(small.stdout, "hello\nworld");
  const literal = await run(["cat"], { stdin: { data: "null" } });
  assert.equal(literal.stdout, "null");
  const big = "x".repeat(999_999) + "\n";
  const large = await run(["wc", "-c"], { stdin: big });
  assert.equal(large.stdout.trim(), "1000000");
  const echoed = await run(["cat"], { stdin: big });
  assert.equal(echoed.stdout.length, big.length);
  const none = await run(["cat"], { timeoutMs: 5000 });
  assert.equal(none.stdout, "");
  assert.equal(none.timedOut, false);
  // A child that exits without reading its input is not an error.
  const ignored = await run(["true"], { stdin: big });
  assert.equal(ignored.code, 0);
});

Deno.test("splitLines breaks at \\n, \\r\\n and a lone \\r, keeping the unfinished rest", () => {
  const cases: [string, string[], string][] = [
    ["", [], ""],
    ["abc", [], "abc"],
    ["a\nb\n", ["a", "b"], ""],
    ["a\r\nb", ["a"], "b"],
    ["10%\r20%\r", ["10%"], "20%\r"],
    ["a\r", [], "a\r"],
    ["\n\n", ["", ""], ""],
    ["x\r\r\ny", ["x", ""], "y"],
  ];
  for (const [text, lines, rest] of cases) {
    assert.deepEqual(splitLines(text), { lines, rest }, JSON.stringify(text));
  }
});

Deno.test("onLine streams each line as it arrives and the output is still captured", async () => {
  const seen: [string, string][] = [];
  const r = await run(
    ["sh", "-c", "printf 'a\\nb\\r\\n'; sleep 0.05; printf 'c\\rd'; printf 'e1\\ne2\\n' >&2"],
    { onLine: (line, stream) => seen.push([stream, line]) },
  );
  assert.equal(r.stdout, "a\nb\r\nc\rd");
  assert.equal(r.stderr, "e1\ne2\n");
  assert.deepEqual(seen.filter(([s]) => s === "stdout").map(([, l]) => l), ["a", "b", "c", "d"]);
  assert.deepEqual(seen.filter(([s]) => s === "stderr").map(([, l]) => l), ["e1", "e2"]);

  // Lines arrive while the command is still running, not all at its end.
  const at: number[] = [];
  await run(["sh", "-c", "echo early; sleep 0.5; echo late"], {
    onLine: () => at.push(performance.now()),
  });
  assert.equal(at.length, 2);
  assert.ok(at[1] - at[0] >= 400, `lines ${at[1] - at[0]} ms apart`);
});

Deno.test("an exception in onLine is rethrown once the command has ended", async () => {
  await assert.rejects(
    run(["sh", "-c", "echo one; echo two"], {
      onLine: () => {
        throw new Error("callback broke");
      },
    }),
    /callback broke/,
  );
});

Deno.test("timeout ends the whole process group, grandchildren included", async () => {
  const lines: string[] = [];
  // The timeout leaves seconds for the shell to start both sleeps, however loaded the machine.
  const r = await run(["sh", "-c", TREE], {
    timeoutMs: 3000,
    killGraceMs: 1000,
    onLine: (l) => lines.push(l),
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.aborted, false);
  assert.equal(r.signal, "SIGTERM");
  const pids = pidsFrom(lines);
  assert.equal(pids.length, 2);
  assert.deepEqual(await waitDead(pids), [], "grandchildren still running");
});

Deno.test("abort ends the whole process group, grandchildren included", async () => {
  const lines: string[] = [];
  const controller = new AbortController();
  const pending = run(["sh", "-c", TREE], {
    signal: controller.signal,
    onLine: (l) => {
      lines.push(l);
      if (pidsFrom(lines).length === 2) controller.abort();
    },
  });
  const r = await pending;
  assert.equal(r.aborted, true);
  assert.equal(r.timedOut, false);
  const pids = pidsFrom(lines);
  assert.equal(pids.length, 2);
  assert.deepEqual(await waitDead(pids), [], "grandchildren still running");
});

Deno.test("a group that ignores SIGTERM is killed with SIGKILL after the grace", async () => {
  const lines: string[] = [];
  const r = await run(["sh", "-c", `trap '' TERM; ${TREE}`], {
    timeoutMs: 3000,
    killGraceMs: 300,
    onLine: (l) => lines.push(l),
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGKILL");
  assert.ok(r.durationMs >= 3250, `took ${r.durationMs} ms: SIGKILL came before the grace`);
  assert.deepEqual(await waitDead(pidsFrom(lines)), [], "grandchildren still running");
});

Deno.test("an already aborted signal starts nothing", async () => {
  await using tmp = await tempDir();
  const marker = `${tmp.path}/ran`;
  const r = await run(["touch", marker], { signal: AbortSignal.abort() });
  assert.equal(r.aborted, true);
  assert.equal(r.code, -1);
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
});

Deno.test("commands lead their own process group unless they read the terminal", async () => {
  const script = "read -r _ _ _ _ pgrp _ < /proc/$$/stat; echo $$ $pgrp";
  const own = (await run(["sh", "-c", script])).stdout.trim().split(" ");
  assert.equal(own[0], own[1], "the child leads its group");
  const mine = (await statFields("self"))[2];
  assert.notEqual(own[1], mine);
  const shared = (await run(["sh", "-c", script], { newProcessGroup: false })).stdout.trim()
    .split(" ");
  assert.equal(shared[1], mine, "the child stays in wrknv's group");
});

Deno.test("pool keeps input order and never runs more than limit at once", async () => {
  let running = 0;
  let max = 0;
  const items = Array.from({ length: 12 }, (_, i) => i);
  const results = await pool(items, async (n, index) => {
    assert.equal(n, index);
    running++;
    max = Math.max(max, running);
    await new Promise((r) => setTimeout(r, 5 + ((n * 7) % 4) * 10));
    running--;
    if (n === 5) throw new Error("five failed");
    return n * 10;
  }, { limit: 3 });
  assert.equal(max, 3);
  assert.equal(results.length, 12);
  results.forEach((r, i) => {
    if (i === 5) {
      assert.equal(r.status, "rejected");
      assert.match(String((r as PromiseRejectedResult).reason), /five failed/);
    } else assert.deepEqual(r, { status: "fulfilled", value: i * 10 });
  });
});

Deno.test("pool handles a limit above the item count, an empty list and synchronous throws", async () => {
  let max = 0;
  let running = 0;
  const r = await pool([1, 2], async (n) => {
    running++;
    max = Math.max(max, running);
    await new Promise((res) => setTimeout(res, 20));
    running--;
    return n;
  }, { limit: 10 });
  assert.equal(max, 2);
  assert.deepEqual(r.map((x) => x.status), ["fulfilled", "fulfilled"]);
  assert.deepEqual(await pool([], () => Promise.resolve(1), { limit: 2 }), []);
  const sync = await pool([1], () => {
    throw new Error("sync");
  }, { limit: 0 });
  assert.equal(sync[0].status, "rejected");
});

Deno.test("pool stops launching once the signal aborts; unstarted items are interrupted", async () => {
  const controller = new AbortController();
  const started: number[] = [];
  const results = await pool(Array.from({ length: 10 }, (_, i) => i), async (n) => {
    started.push(n);
    if (n === 2) controller.abort();
    await new Promise((r) => setTimeout(r, 20));
    return n;
  }, { limit: 2, signal: controller.signal });
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(results.slice(0, 3).map((r) => r.status), [
    "fulfilled",
    "fulfilled",
    "fulfilled",
  ]);
  for (const r of results.slice(3)) {
    assert.equal(r.status, "rejected");
    assert.ok((r as PromiseRejectedResult).reason instanceof InterruptedError);
  }
});

Deno.test("pool with real processes cancels the running ones through the signal", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const results = await pool(
    [1, 2, 3, 4, 5],
    (n) =>
      run(["sleep", "30"], { signal: controller.signal }).then((r) =>
        r.aborted ? "aborted" : `item ${n} ended by itself (${r.code})`
      ),
    { limit: 2, signal: controller.signal },
  );
  // The two running were ended through the signal; the three waiting never started.
  assert.deepEqual(results.slice(0, 2), [
    { status: "fulfilled", value: "aborted" },
    { status: "fulfilled", value: "aborted" },
  ]);
  for (const r of results.slice(2)) {
    assert.equal(r.status, "rejected");
    assert.ok((r as PromiseRejectedResult).reason instanceof InterruptedError);
  }
});

Deno.test("which finds executables on PATH without spawning", async () => {
  await using tmp = await tempDir();
  const bin = `${tmp.path}/bin`;
  const other = `${tmp.path}/other`;
  await Deno.mkdir(bin);
  await Deno.mkdir(other);
  await Deno.writeTextFile(`${bin}/tool`, "#!/bin/sh\n");
  await Deno.chmod(`${bin}/tool`, 0o755);
  await Deno.writeTextFile(`${other}/tool`, "#!/bin/sh\n");
  await Deno.chmod(`${other}/tool`, 0o755);
  await Deno.writeTextFile(`${bin}/plain`, "data\n");
  await Deno.chmod(`${bin}/plain`, 0o644);
  await Deno.mkdir(`${other}/dir-named-tool2`);

  assert.equal(await which("tool", { path: `${bin}:${other}` }), `${bin}/tool`);
  assert.equal(await which("tool", { path: `${other}/:${bin}` }), `${other}/tool`);
  assert.equal(await which("plain", { path: bin }), null, "not executable");
  assert.equal(await which("dir-named-tool2", { path: other }), null, "a directory");
  assert.equal(await which("missing", { path: `${bin}:${other}` }), null);
  assert.equal(await which("tool", { path: "" }), null, "empty PATH entry is not the cwd");
  assert.equal(await which(`${bin}/tool`), `${bin}/tool`);
  assert.equal(await which(`${bin}/plain`), null);
  assert.equal(await which(""), null);
  const sh = await which("sh");
  assert.ok(sh !== null && sh.endsWith("/sh"));
});

Deno.test("process groups still running when wrknv exits are killed", async () => {
  const mod = new URL("../src/proc/mod.ts", import.meta.url).href;
  const script = `
    import { run } from ${JSON.stringify(mod)};
    let n = 0;
    run(["sh", "-c", ${JSON.stringify(TREE)}], {
      onLine: (line) => {
        console.log(line);
        if (++n === 2) Deno.exit(0);
      },
    });
  `;
  const r = await run([Deno.execPath(), "eval", script], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const pids = pidsFrom(r.stdout.trim().split("\n"));
  assert.equal(pids.length, 2);
  assert.deepEqual(await waitDead(pids), [], "children outlived wrknv");
});

Deno.test("a descendant that escapes the kill cannot keep run waiting on its output", async () => {
  const lines: string[] = [];
  // Outside a group of its own only the shell is signalled; the background
  // sleep keeps the output pipe open (for ever, as far as this test goes).
  const r = await run(["sh", "-c", "sleep 100000 & echo bg $!; exec sleep 100000"], {
    newProcessGroup: false,
    timeoutMs: 200,
    killGraceMs: 200,
    onLine: (l) => lines.push(l),
  });
  const [escaped] = pidsFrom(lines);
  try {
    assert.equal(r.timedOut, true);
    assert.ok(await isAlive(escaped), "run returned only once the descendant had gone");
    assert.equal(r.stdout, `bg ${escaped}\n`);
  } finally {
    if (escaped) Deno.kill(escaped, "SIGKILL");
  }
});

Deno.test("programs are found as Deno finds them, in a group of their own or not", async () => {
  await using tmp = await tempDir();
  const bin = `${tmp.path}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(`${bin}/tool`, '#!/bin/sh\necho "tool $0 $*"\n');
  await Deno.chmod(`${bin}/tool`, 0o755);
  await Deno.writeTextFile(`${bin}/plain`, "#!/bin/sh\n");
  await Deno.chmod(`${bin}/plain`, 0o644);
  // A decoy in the working directory, which an empty PATH entry must not reach.
  const here = `${tmp.path}/here`;
  await Deno.mkdir(here);
  await Deno.writeTextFile(`${here}/tool`, "#!/bin/sh\necho decoy\n");
  await Deno.chmod(`${here}/tool`, 0o755);
  const cases: {
    cmd: string[];
    options: Parameters<typeof run>[1];
    out?: string;
    error?: string;
  }[] = [
    { cmd: ["tool", "a"], options: { env: { PATH: bin } }, out: `tool ${bin}/tool a\n` },
    {
      cmd: ["tool"],
      options: { env: { PATH: bin, WRKNV_TEST_GONE: undefined } },
      out: `tool ${bin}/tool \n`,
    },
    { cmd: ["tool"], options: { env: { PATH: `:${bin}` }, cwd: here }, out: `tool ${bin}/tool \n` },
    { cmd: ["tool"], options: { env: { PATH: `${bin}:` }, cwd: here }, out: `tool ${bin}/tool \n` },
    { cmd: ["./bin/tool"], options: { cwd: tmp.path }, out: `tool ${bin}/tool \n` },
    { cmd: ["bin/tool"], options: { cwd: tmp.path }, out: `tool ${bin}/tool \n` },
    { cmd: [`${bin}/tool`], options: {}, out: `tool ${bin}/tool \n` },
    { cmd: ["tool"], options: {}, error: "tool not found on PATH" },
    { cmd: ["plain"], options: { env: { PATH: bin } }, error: "plain not found on PATH" },
    {
      cmd: ["tool"],
      options: { env: { PATH: `:${bin}x` }, cwd: bin },
      error: "tool not found on PATH",
    },
    { cmd: ["./tool"], options: {}, error: "./tool does not exist" },
    { cmd: [bin], options: {}, error: `${bin} cannot be run: permission denied` },
    {
      cmd: ["./tool"],
      options: { cwd: `${tmp.path}/missing` },
      error: `Working directory ${tmp.path}/missing does not exist`,
    },
  ];
  for (const newProcessGroup of [true, false]) {
    for (const { cmd, options, out, error } of cases) {
      const what = `${JSON.stringify(cmd)} ${JSON.stringify(options)} group=${newProcessGroup}`;
      const pending = run(cmd, { ...options, newProcessGroup });
      if (error !== undefined) {
        await assert.rejects(pending, (e: unknown) => {
          assert.ok(e instanceof WrknvError, what);
          assert.equal(e.message, error, what);
          return true;
        });
      } else {
        const r = await pending;
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        assert.equal(r.stdout, out, what);
      }
    }
  }
});

Deno.test("a program that appears earlier on PATH, or disappears, is seen at once", async () => {
  await using tmp = await tempDir();
  const [first, second] = [`${tmp.path}/first`, `${tmp.path}/second`];
  const tool = async (dir: string) => {
    await Deno.writeTextFile(`${dir}/tool`, `#!/bin/sh\necho ${dir}\n`);
    await Deno.chmod(`${dir}/tool`, 0o755);
  };
  await Deno.mkdir(first);
  await Deno.mkdir(second);
  await tool(second);
  const env = { PATH: `${first}:${second}` };
  assert.equal((await run(["tool"], { env })).stdout, `${second}\n`);
  await tool(first);
  assert.equal((await run(["tool"], { env })).stdout, `${first}\n`);
  await Deno.remove(`${first}/tool`);
  await Deno.remove(`${second}/tool`);
  for (const newProcessGroup of [true, false]) {
    await assert.rejects(
      run(["tool"], { env, newProcessGroup }),
      (e: unknown) => e instanceof WrknvError && e.message === "tool not found on PATH",
    );
  }
  // A program of its own that exits with 127 is just a failed command.
  await Deno.writeTextFile(`${second}/tool`, "#!/bin/sh\nexit 127\n");
  await Deno.chmod(`${second}/tool`, 0o755);
  assert.equal((await run(["tool"], { env })).code, 127);
  assert.equal((await run(["tool"], { env })).code, 127);
});

Deno.test("an abort right after the start still ends the command with SIGTERM", async () => {
  // The group may not exist yet when the signal comes: the child itself gets it.
  for (let i = 0; i < 20; i++) {
    const controller = new AbortController();
    const pending = run(["sh", "-c", TREE], { signal: controller.signal, killGraceMs: 20_000 });
    controller.abort();
    const r = await pending;
    assert.equal(r.aborted, true);
    assert.equal(r.signal, "SIGTERM", `run ${i}`);
  }
});

Deno.test("a daemon holding the output cannot keep run, or wrknv, waiting", async () => {
  await using tmp = await tempDir();
  const pidFile = `${tmp.path}/daemon.pid`;
  const mod = new URL("../src/proc/mod.ts", import.meta.url).href;
  // The daemon leaves the command's group (a new session of its own) but
  // keeps its output pipes open; without onLine the output is collected natively.
  const daemon = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 100000' & exec sleep 100000`;
  const script = `
    import { run } from ${JSON.stringify(mod)};
    const r = await run(["sh", "-c", ${
    JSON.stringify(daemon)
  }], { timeoutMs: 3000, killGraceMs: 200 });
    console.log(JSON.stringify({ timedOut: r.timedOut, signal: r.signal }));
  `;
  try {
    const r = await run([Deno.execPath(), "eval", script], { timeoutMs: 180_000 });
    assert.equal(r.timedOut, false, "the inner wrknv did not exit");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { timedOut: true, signal: "SIGTERM" });
    const daemonPid = Number(await Deno.readTextFile(pidFile));
    assert.ok(await isAlive(daemonPid), "run waited for the daemon to go");
  } finally {
    const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
    if (pid > 0) Deno.kill(pid, "SIGKILL");
  }
});

Deno.test("without a setsid program, groups come from Deno's detached spawn", async () => {
  await using tmp = await tempDir();
  const bin = `${tmp.path}/bin`;
  await Deno.mkdir(bin);
  for (const tool of ["sh", "sleep"]) {
    const found = await which(tool);
    assert.ok(found !== null, tool);
    await Deno.symlink(found, `${bin}/${tool}`);
  }
  const mod = new URL("../src/proc/mod.ts", import.meta.url).href;
  const script = `
    import { run } from ${JSON.stringify(mod)};
    const own = await run(["sh", "-c", "read -r _ _ _ _ pgrp _ < /proc/$$/stat; echo $$ $pgrp"]);
    console.log("own", own.stdout.trim());
    const lines = [];
    const tree = await run(["sh", "-c", ${JSON.stringify(TREE)}], {
      timeoutMs: 3000, killGraceMs: 300, onLine: (l) => { lines.push(l); console.log(l); },
    });
    const quiet = await run(["sleep", "30"], { timeoutMs: 200 });
    console.log("ended", tree.timedOut, tree.signal, quiet.timedOut, quiet.signal);
  `;
  const r = await run([Deno.execPath(), "eval", script], {
    env: { PATH: bin },
    timeoutMs: 180_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  const own = lines.find((l) => l.startsWith("own "))!.split(" ");
  assert.equal(own[1], own[2], "the child leads its group");
  assert.ok(lines.includes("ended true SIGTERM true SIGTERM"), r.stdout);
  const pids = pidsFrom(lines);
  assert.equal(pids.length, 2);
  assert.deepEqual(await waitDead(pids), [], "grandchildren still running");
});

Deno.test("a list of allowed programs is still enforced for each program", async () => {
  await using tmp = await tempDir();
  const mod = new URL("../src/proc/mod.ts", import.meta.url).href;
  const script = `${tmp.path}/script.ts`;
  await Deno.writeTextFile(
    script,
    `import { run } from ${JSON.stringify(mod)};
    const own = await run(["sh", "-c", "read -r _ _ _ _ pgrp _ < /proc/$$/stat; echo $$ $pgrp"]);
    console.log("own", own.stdout.trim());
    await run(["ls", "/"]).then(() => console.log("ls ran"), (e) => console.log(e.name, e.message));
    `,
  );
  const r = await run([
    Deno.execPath(),
    "run",
    "--allow-run=sh,setsid",
    "--allow-env",
    "--allow-read",
    script,
  ], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  const own = lines[0].split(" ");
  assert.equal(own[1], own[2], "the child leads its group");
  assert.match(lines[1], /^WrknvError Could not start ls: .*run access/);
});
