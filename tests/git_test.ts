import assert from "node:assert/strict";
import { InterruptedError, WrknvError } from "../src/errors.ts";
import {
  branchNameProblem,
  checkout,
  classifyGitError,
  clone,
  cloneArgs,
  currentBranch,
  fetch,
  gitEnv,
  GitError,
  type GitErrorKind,
  type GitStatus,
  headCommit,
  isAncestor,
  isCommitId,
  isDirty,
  isFullCommitId,
  isRepo,
  lastErrorLine,
  mergeFfOnly,
  parseGrep,
  parseStatusV2,
  rebase,
  redactUrl,
  remoteKey,
  remoteUrl,
  revisionProblem,
  revParse,
  sameRemote,
  setRemoteUrl,
  status,
} from "../src/git/mod.ts";
import {
  authServer,
  commitFile,
  freePort,
  gitDaemon,
  gitIn,
  hangingServer,
  makeRemote,
  pushAll,
} from "./support/git.ts";
import { tempDir } from "./support/tmp.ts";
import { exists } from "../src/fs.ts";
import { waitNoneMentioning, waitUntil } from "./support/procs.ts";

// ---------------------------------------------------------------- pure parts

const CLEAN: GitStatus = {
  branch: "main",
  head: "8e6210842fc145e4f3b18de4c7bd560eeb6d14fb",
  upstream: null,
  upstreamGone: false,
  ahead: 0,
  behind: 0,
  staged: 0,
  unstaged: 0,
  untracked: 0,
  conflicted: 0,
  stash: 0,
};

Deno.test("parseStatusV2 reads branch headers, change lines and the stash count", () => {
  const oid = "# branch.oid 8e6210842fc145e4f3b18de4c7bd560eeb6d14fb";
  const cases: [string, string, Partial<GitStatus>][] = [
    ["clean, no upstream", `${oid}\n# branch.head main\n`, {}],
    [
      "upstream, ahead and behind",
      `${oid}\n# branch.head main\n# branch.upstream origin/main\n# branch.ab +2 -3\n`,
      { upstream: "origin/main", ahead: 2, behind: 3 },
    ],
    [
      "upstream gone (no branch.ab line)",
      `${oid}\n# branch.head feat\n# branch.upstream origin/feat\n`,
      { branch: "feat", upstream: "origin/feat", upstreamGone: true },
    ],
    ["detached", `${oid}\n# branch.head (detached)\n`, { branch: null }],
    ["no commit yet", "# branch.oid (initial)\n# branch.head main\n", { head: null }],
    ["stash", `${oid}\n# branch.head main\n# stash 4\n`, { stash: 4 }],
    [
      "staged, unstaged, renamed, deleted, added, untracked",
      [
        oid,
        "# branch.head main",
        "1 MM N... 100644 100644 100644 422c2b7ab3b3c668038da977e4e93a5fc623169c 60b5e52c78678a8497689a3e7c1b70d413d20550 a",
        "2 R. N... 100644 100644 100644 587be6b4c3f93f93c489c0111bba5596147a26cb 587be6b4c3f93f93c489c0111bba5596147a26cb R100 b2\tb",
        "1 .D N... 100644 100644 000000 975fbec8256d3e8a3797e7a3611380f27c49f4ac 975fbec8256d3e8a3797e7a3611380f27c49f4ac c",
        "1 A. N... 000000 100644 100644 0000000000000000000000000000000000000000 3e757656cf36eca53338e520d134963a44f793f8 d",
        "? top",
        "? u/",
        "! ignored.log",
        "",
      ].join("\n"),
      { staged: 3, unstaged: 2, untracked: 2 },
    ],
    [
      "conflicts",
      [
        oid,
        "# branch.head main",
        "u UU N... 100644 100644 100644 100644 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccccccccccccccccccc f",
        "u AA N... 000000 100644 100644 100644 0000000000000000000000000000000000000000 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccccccccccccccccccc g",
      ].join("\n"),
      { conflicted: 2 },
    ],
    [
      "unknown headers and a branch name with spaces-free slashes",
      `${oid}\n# branch.head feature/x-1\n# branch.future something\n`,
      { branch: "feature/x-1" },
    ],
    ["empty output", "", { branch: null, head: null }],
  ];
  for (const [name, text, expected] of cases) {
    assert.deepEqual(parseStatusV2(text), { ...CLEAN, ...expected }, name);
  }
});

// Messages as git 2.39, ssh, curl and common hosts print them.
const MESSAGES: [GitErrorKind, string][] = [
  ["auth", "fatal: could not read Username for 'https://github.com': terminal prompts disabled"],
  [
    "auth",
    "fatal: could not read Password for 'https://me@example.com': No such device or address",
  ],
  [
    "auth",
    "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/o/r.git/'",
  ],
  [
    "auth",
    "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
  ],
  ["auth", "me@host: Permission denied (publickey,password)."],
  ["auth", "Host key verification failed.\nfatal: Could not read from remote repository."],
  [
    "auth",
    "remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://gitlab.com/o/r.git/'",
  ],
  [
    "auth",
    "remote: Support for password authentication was removed on August 13, 2021.\nfatal: Authentication failed for 'https://github.com/o/r.git/'",
  ],
  [
    "auth",
    "fatal: unable to access 'https://example.com/r.git/': The requested URL returned error: 403",
  ],
  [
    "auth",
    "ERROR: Permission to o/r.git denied to someone.\nfatal: Could not read from remote repository.",
  ],
  [
    "network",
    "fatal: unable to access 'https://nohost.invalid/r.git/': Could not resolve host: nohost.invalid",
  ],
  [
    "network",
    "ssh: Could not resolve hostname nohost.invalid: Name or service not known\nfatal: Could not read from remote repository.",
  ],
  [
    "network",
    "fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n",
  ],
  [
    "network",
    "fatal: unable to access 'http://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
  ],
  [
    "network",
    "ssh: connect to host example.com port 22: Connection timed out\nfatal: Could not read from remote repository.",
  ],
  [
    "network",
    "fatal: unable to access 'https://example.com/r/': Failed to connect to example.com port 443 after 130000 ms: Operation timed out",
  ],
  [
    "network",
    "error: RPC failed; curl 92 HTTP/2 stream 0 was not closed cleanly: CANCEL (err 8)\nfatal: early EOF\nfatal: fetch-pack: invalid index-pack output",
  ],
  ["network", "fatal: the remote end hung up unexpectedly"],
  [
    "network",
    "fatal: unable to access 'https://example.com/r/': gnutls_handshake() failed: The TLS connection was non-properly terminated.",
  ],
  ["network", "ssh: connect to host 10.0.0.1 port 22: No route to host"],
  [
    "network",
    "fatal: unable to access 'https://example.com/r/': The requested URL returned error: 502",
  ],
  ["notfound", "fatal: repository '/tmp/nonexist' does not exist"],
  [
    "notfound",
    "fatal: '/tmp/nonexist' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
  ],
  [
    "notfound",
    "remote: Repository not found.\nfatal: repository 'https://github.com/o/nope.git/' not found",
  ],
  ["notfound", "ERROR: Repository not found.\nfatal: Could not read from remote repository."],
  [
    "notfound",
    "remote: The project you were looking for could not be found or you don't have permission to view it.\nfatal: repository 'https://gitlab.com/o/nope.git/' not found",
  ],
  ["notfound", "fatal: remote error: no such repository: /nope.git"],
  ["notfound", "fatal: remote error: access denied or repository not exported: /nope.git"],
  [
    "notfound",
    "warning: Could not find remote branch nob to clone.\nfatal: Remote branch nob not found in upstream origin",
  ],
  ["notfound", "fatal: couldn't find remote ref nob"],
  [
    "notfound",
    "fatal: remote error: upload-pack: not our ref 1234567890123456789012345678901234567890",
  ],
  ["notfound", "error: pathspec 'nob' did not match any file(s) known to git"],
  ["other", "fatal: destination path 'x' already exists and is not an empty directory."],
  ["other", "fatal: not a git repository (or any of the parent directories): .git"],
  [
    "other",
    "error: Your local changes to the following files would be overwritten by checkout:\n\ta\nPlease commit your changes or stash them before you switch branches.\nAborting",
  ],
  ["other", ""],
];

Deno.test("classifyGitError sorts real git messages into auth, network, notfound, other", () => {
  for (const [kind, message] of MESSAGES) {
    assert.equal(classifyGitError(message), kind, message);
  }
});

Deno.test("lastErrorLine picks the line that says what went wrong", () => {
  const cases: [string, string | null][] = [
    ["", null],
    ["\n\n", null],
    [
      "Cloning into 'x'...\nfatal: repository '/tmp/n' does not exist\n",
      "repository '/tmp/n' does not exist",
    ],
    [
      "fatal: '/tmp/n' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
      "'/tmp/n' does not appear to be a git repository",
    ],
    [
      "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
      "git@github.com: Permission denied (publickey).",
    ],
    [
      "error: RPC failed; curl 92\nfatal: early EOF\nfatal: fetch-pack: invalid index-pack output\n",
      "early EOF",
    ],
    [
      "error: pathspec 'x' did not match any file(s) known to git\nhint: try this\n",
      "pathspec 'x' did not match any file(s) known to git",
    ],
    ["warning: something odd\n", "warning: something odd"],
    ["fatal: Could not read from remote repository.\n", "Could not read from remote repository."],
    ["[8259] fatal: git upload-pack: not our ref abc\n", "git upload-pack: not our ref abc"],
  ];
  for (const [stderr, expected] of cases) assert.equal(lastErrorLine(stderr), expected, stderr);
});

Deno.test("sameRemote compares repository URLs loosely", () => {
  const same: [string, string][] = [
    ["https://github.com/org/x.git", "https://github.com/org/x"],
    ["https://github.com/org/x/", "https://github.com/org/x"],
    ["git@github.com:org/x.git", "ssh://git@github.com/org/x"],
    ["git@github.com:org/x", "ssh://git@github.com:22/org/x.git"],
    ["git@GitHub.com:org/x", "https://github.com/org/x.git"],
    ["https://user@github.com/org/x", "https://github.com/org/x"],
    ["git+ssh://git@host/org/x", "host:org/x"],
    ["/srv/repos/x.git", "file:///srv/repos/x.git"],
    ["/srv/repos/x", "file:///srv/repos/x.git"],
    ["/srv/repos/x/.git", "/srv/repos/x/"],
    ["file://localhost/srv/x", "/srv/x"],
    ["file:///srv/my%20repo", "/srv/my repo"],
    ["/srv/a/../x", "/srv/./x"],
    ["git://127.0.0.1:9418/x.git", "git://127.0.0.1/x"],
    ["ssh://git@[::1]:2222/x", "ssh://[::1]/x.git"],
  ];
  const different: [string, string][] = [
    ["https://github.com/org/x", "https://github.com/org/y"],
    ["https://github.com/org/x", "https://gitlab.com/org/x"],
    ["https://github.com/Org/x", "https://github.com/org/x"],
    ["git@github.com:org/x", "git@github.com:other/x"],
    ["/srv/x", "/srv/y"],
    ["/srv/x", "https://srv/x"],
    ["../x", "/x"],
    ["https://github.com/org/x", "https://github.com/org/x/sub"],
  ];
  for (const [a, b] of same) {
    assert.ok(sameRemote(a, b), `${a} = ${b} (${remoteKey(a)} vs ${remoteKey(b)})`);
    assert.ok(sameRemote(b, a), `${b} = ${a}`);
  }
  for (const [a, b] of different) {
    assert.ok(!sameRemote(a, b), `${a} != ${b} (both ${remoteKey(a)})`);
  }
});

Deno.test("redactUrl hides passwords and tokens", () => {
  const cases: [string, string][] = [
    ["https://user:secret@github.com/o/r.git", "https://user:***@github.com/o/r.git"],
    ["https://x-access-token:ghs_abc@github.com/o/r", "https://x-access-token:***@github.com/o/r"],
    ["https://user@github.com/o/r", "https://user@github.com/o/r"],
    ["https://github.com/o/r", "https://github.com/o/r"],
    ["git@github.com:o/r.git", "git@github.com:o/r.git"],
    ["ssh://git@host:2222/o/r", "ssh://git@host:2222/o/r"],
    ["/srv/a:b@c", "/srv/a:b@c"],
  ];
  for (const [url, expected] of cases) assert.equal(redactUrl(url), expected, url);
});

Deno.test("isCommitId, isFullCommitId and revisionProblem", () => {
  const ids: [string, boolean, boolean][] = [
    ["abc1234", true, false],
    ["ABC1234", true, false],
    ["abc123", false, false],
    ["8e6210842fc145e4f3b18de4c7bd560eeb6d14fb", true, true],
    ["8e6210842fc145e4f3b18de4c7bd560eeb6d14fb8e6210842fc145e4f3b18de4", true, true],
    ["main", false, false],
    ["v1.0.0", false, false],
    ["deadbeefg", false, false],
  ];
  for (const [rev, short, full] of ids) {
    assert.equal(isCommitId(rev), short, rev);
    assert.equal(isFullCommitId(rev), full, rev);
  }
  const revs: [string, RegExp | null][] = [
    ["main", null],
    ["feature/x-1", null],
    ["v1.2.3", null],
    ["", /empty/],
    ["--upload-pack=evil", /begins with "-"/],
    ["a b", /character/],
    ["a\nb", /character/],
    ["HEAD~1", /character/],
    ["main..dev", /range/],
    ["main@{1}", /range/],
  ];
  for (const [rev, problem] of revs) {
    const p = revisionProblem(rev);
    if (problem === null) assert.equal(p, null, rev);
    else assert.match(p ?? "", problem, rev);
  }
});

Deno.test("cloneArgs puts options first and -- before the positionals", () => {
  const cases: [Parameters<typeof cloneArgs>[2], string[]][] = [
    [{}, ["clone", "--quiet", "--", "R", "D"]],
    [{ branch: "v1" }, ["clone", "--quiet", "--branch", "v1", "--", "R", "D"]],
    [
      { depth: 1, filter: "blob:none", noCheckout: true, progress: true },
      [
        "clone",
        "--progress",
        "--no-checkout",
        "--depth",
        "1",
        "--filter=blob:none",
        "--",
        "R",
        "D",
      ],
    ],
    [
      { reference: "/cache/r" },
      ["clone", "--quiet", "--reference-if-able", "/cache/r", "--dissociate", "--", "R", "D"],
    ],
  ];
  for (const [options, expected] of cases) assert.deepEqual(cloneArgs("R", "D", options), expected);
});

Deno.test("gitEnv disables prompts unless interactive and keeps the user's ssh command", () => {
  const cases: [Parameters<typeof gitEnv>[0], Record<string, string | undefined>][] = [
    [
      { env: {} },
      { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_SSH_COMMAND: "ssh -o BatchMode=yes" },
    ],
    [{ env: { GIT_SSH_COMMAND: "ssh -i key" } }, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" }],
    [{ env: { GIT_SSH: "/usr/bin/plink" } }, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" }],
    [{ env: {}, interactive: true }, { LC_ALL: "C" }],
    [{ env: {}, sshCommandConfigured: true }, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" }],
    [
      { env: { GIT_DIR: "/elsewhere/.git", GIT_WORK_TREE: "/elsewhere", HOME: "/h" } },
      {
        LC_ALL: "C",
        GIT_TERMINAL_PROMPT: "0",
        GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
        GIT_DIR: undefined,
        GIT_WORK_TREE: undefined,
      },
    ],
  ];
  for (const [options, expected] of cases) assert.deepEqual(gitEnv(options), expected);
});

// ----------------------------------------------------------- real git below

/** Processes (not zombies) whose command line contains `text`. */

async function rejectsGit(
  p: Promise<unknown>,
  kind: GitErrorKind,
  message?: RegExp,
): Promise<GitError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof GitError, `expected a GitError, got ${caught}`);
  assert.equal(caught.kind, kind, `${caught.message}\n${caught.stderr}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

Deno.test("clone checks out the default branch, a branch, a tag and commits", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "alpha", {
    files: { "README.md": "alpha\n", "src/alpha/__init__.py": "" },
    commits: 3,
    branches: { dev: { "DEV.txt": "dev\n" } },
    tags: { "v1.0": 0, "v1.1-light": { commit: 1, annotated: false } },
  });
  assert.equal(remote.commits.length, 3);

  const plain = await clone(remote.url, `${tmp.path}/plain`);
  assert.deepEqual(plain, { head: remote.commits[2], branch: "main" });
  assert.equal(await Deno.readTextFile(`${tmp.path}/plain/src/alpha/__init__.py`), "");

  const dev = await clone(remote.url, `${tmp.path}/dev`, { revision: "dev" });
  assert.deepEqual(dev, { head: remote.branches.dev, branch: "dev" });
  assert.equal(await Deno.readTextFile(`${tmp.path}/dev/DEV.txt`), "dev\n");

  const tag = await clone(remote.url, `${tmp.path}/tag`, { revision: "v1.0" });
  assert.deepEqual(tag, { head: remote.commits[0], branch: null });
  const light = await clone(remote.url, `${tmp.path}/light`, { revision: "v1.1-light" });
  assert.deepEqual(light, { head: remote.commits[1], branch: null });

  const full = await clone(remote.url, `${tmp.path}/full`, { revision: remote.commits[1] });
  assert.deepEqual(full, { head: remote.commits[1], branch: null });
  const short = await clone(remote.url, `${tmp.path}/short`, {
    revision: remote.commits[0].slice(0, 9),
  });
  assert.deepEqual(short, { head: remote.commits[0], branch: null });
  assert.equal(await remoteUrl(`${tmp.path}/short`), remote.url);
});

Deno.test("clone with depth reaches an old commit by fetching it, or by unshallowing", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "deep", { commits: 5 });
  const old = remote.commits[1];

  const byId = await clone(remote.url, `${tmp.path}/by-id`, { revision: old, depth: 1 });
  assert.deepEqual(byId, { head: old, branch: null });
  assert.equal(await gitIn(`${tmp.path}/by-id`, ["rev-list", "--count", "HEAD"]), "1");

  const abbreviated = await clone(remote.url, `${tmp.path}/abbrev`, {
    revision: old.slice(0, 10),
    depth: 1,
  });
  assert.deepEqual(abbreviated, { head: old, branch: null });

  const branch = await clone(remote.url, `${tmp.path}/shallow`, { depth: 2, revision: "main" });
  assert.deepEqual(branch, { head: remote.commits[4], branch: "main" });
  assert.equal(await gitIn(`${tmp.path}/shallow`, ["rev-list", "--count", "HEAD"]), "2");

  await using daemon = await gitDaemon(tmp.path);
  const served = await clone(daemon.url("deep.git"), `${tmp.path}/served`, {
    revision: remote.commits[2],
    depth: 1,
  });
  assert.deepEqual(served, { head: remote.commits[2], branch: null });
});

Deno.test("clone with a filter or a reference works and leaves no alternates", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "beta", { commits: 2 });
  const filtered = await clone(remote.url, `${tmp.path}/filtered`, { filter: "blob:none" });
  assert.equal(filtered.head, remote.commits[1]);

  const cache = await clone(remote.url, `${tmp.path}/cache`);
  const referenced = await clone(remote.url, `${tmp.path}/referenced`, {
    reference: `${tmp.path}/cache`,
  });
  assert.equal(referenced.head, cache.head);
  await assert.rejects(
    Deno.stat(`${tmp.path}/referenced/.git/objects/info/alternates`),
    Deno.errors.NotFound,
    "--dissociate removes the borrowed objects link",
  );
  const missingRef = await clone(remote.url, `${tmp.path}/no-ref`, {
    reference: `${tmp.path}/does-not-exist`,
  });
  assert.equal(missingRef.head, remote.commits[1]);
});

Deno.test("clone of an empty repository has no head", async () => {
  await using tmp = await tempDir();
  await gitIn(tmp.path, ["init", "--quiet", "--bare", "--initial-branch=main", "empty.git"]);
  const r = await clone(`file://${tmp.path}/empty.git`, `${tmp.path}/empty`);
  assert.deepEqual(r, { head: null, branch: "main" });
  assert.equal(await isRepo(`${tmp.path}/empty`), true);
});

Deno.test("clone reports progress lines when asked", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "gamma");
  const lines: string[] = [];
  await clone(remote.url, `${tmp.path}/gamma`, { onProgress: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /Cloning into/.test(l)), lines.join("\n"));
});

Deno.test("clone failures are classified from git's real messages", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "delta");

  await rejectsGit(
    clone(remote.url, `${tmp.path}/a`, { revision: "no-such-branch" }),
    "notfound",
    /^Revision no-such-branch not found in file:\/\//,
  );
  await rejectsGit(
    clone(remote.url, `${tmp.path}/b`, { revision: "0123456789abcdef0123456789abcdef01234567" }),
    "notfound",
    /^Revision 0123456789abcdef0123456789abcdef01234567 not found/,
  );
  await rejectsGit(
    clone(remote.url, `${tmp.path}/b2`, { revision: "0123456789abcdef", depth: 1 }),
    "notfound",
  );
  await rejectsGit(clone(`${tmp.path}/nope.git`, `${tmp.path}/c`), "notfound", /does not exist/);
  await rejectsGit(
    clone(`file://${tmp.path}/nope.git`, `${tmp.path}/d`),
    "notfound",
    /does not appear to be a git repository/,
  );
  await Deno.mkdir(`${tmp.path}/occupied`);
  await Deno.writeTextFile(`${tmp.path}/occupied/file`, "");
  await rejectsGit(
    clone(remote.url, `${tmp.path}/occupied`),
    "other",
    /already exists and is not an empty directory/,
  );
  assert.equal(await Deno.readTextFile(`${tmp.path}/occupied/file`), "", "left untouched");

  await using daemon = await gitDaemon(tmp.path);
  await rejectsGit(
    clone(daemon.url("missing.git"), `${tmp.path}/e`),
    "notfound",
    /no such repository/,
  );
  const closed = freePort();
  await rejectsGit(
    clone(`git://127.0.0.1:${closed}/x.git`, `${tmp.path}/f`),
    "network",
    /Connection refused|unable to connect/,
  );
  await rejectsGit(
    clone(`http://127.0.0.1:${closed}/x.git`, `${tmp.path}/g`),
    "network",
  );
  await using auth = authServer();
  await rejectsGit(
    clone(auth.url("private.git"), `${tmp.path}/h`),
    "auth",
    /terminal prompts disabled/,
  );
  assert.ok(auth.requests() > 0);
});

Deno.test("clone refuses URLs, revisions and depths that git could misread", async () => {
  await using tmp = await tempDir();
  const dest = `${tmp.path}/x`;
  const bad: [Parameters<typeof clone>, RegExp][] = [
    [["--upload-pack=touch /tmp/pwned", dest], /begins with "-"/],
    [["file:///x", dest, { revision: "--orphan" }], /begins with "-"/],
    [["file:///x", dest, { revision: "a b" }], /character/],
    [["file:///x", dest, { depth: 0 }], /positive whole number/],
    [["file:///x", dest, { depth: 1.5 }], /positive whole number/],
    [["file:///x", dest, { filter: "--x" }], /begins with "-"/],
  ];
  for (const [args, message] of bad) {
    await assert.rejects(clone(...args), (e: unknown) => {
      assert.ok(e instanceof WrknvError);
      assert.match(e.message, message);
      return true;
    });
  }
  await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
});

Deno.test("a clone that hangs is ended by its timeout, helpers included", async () => {
  await using tmp = await tempDir();
  await using server = hangingServer();
  for (const url of [server.gitUrl("hang.git"), server.httpUrl("hang.git")]) {
    // The signal only stops a clone whose timeout never fired: it would then
    // fail as interrupted, not as timed out.
    const error = await rejectsGit(
      clone(url, `${tmp.path}/hang`, { timeoutMs: 700, signal: AbortSignal.timeout(300_000) }),
      "network",
      /^git clone timed out after 0\.7s$/,
    );
    assert.equal(error.timedOut, true);
    assert.deepEqual(await waitNoneMentioning(`127.0.0.1:${server.port}`), [], url);
  }
  assert.ok(server.accepted() >= 2);
});

Deno.test("aborting a clone ends git and raises InterruptedError", async () => {
  await using tmp = await tempDir();
  await using server = hangingServer();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(
    clone(server.httpUrl("hang.git"), `${tmp.path}/x`, { signal: controller.signal }),
    InterruptedError,
  );
  assert.deepEqual(await waitNoneMentioning(`127.0.0.1:${server.port}`), []);
});

Deno.test("status reads real working trees", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "eps", {
    files: { "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" },
  });
  const dir = `${tmp.path}/eps`;
  await clone(remote.url, dir);
  const clean = await status(dir);
  assert.deepEqual(clean, {
    branch: "main",
    head: remote.commits[0],
    upstream: "origin/main",
    upstreamGone: false,
    ahead: 0,
    behind: 0,
    staged: 0,
    unstaged: 0,
    untracked: 0,
    conflicted: 0,
    stash: 0,
  });
  assert.equal(await isDirty(dir), false);

  // Remote moves ahead by two, local by one.
  await commitFile(remote.work, "r1.txt", "1\n", "Remote 1");
  await commitFile(remote.work, "r2.txt", "2\n", "Remote 2");
  await pushAll(remote.work);
  await fetch(dir);
  const local = await commitFile(dir, "local.txt", "l\n", "Local");
  // Two stash entries, then: one staged, one modified, one deleted, two untracked.
  for (const n of [1, 2]) {
    await Deno.writeTextFile(`${dir}/a.txt`, `stash ${n}\n`);
    await gitIn(dir, ["stash", "--quiet"]);
  }
  await Deno.writeTextFile(`${dir}/staged.txt`, "s\n");
  await gitIn(dir, ["add", "staged.txt"]);
  await Deno.writeTextFile(`${dir}/b.txt`, "changed\n");
  await Deno.remove(`${dir}/c.txt`);
  await Deno.writeTextFile(`${dir}/new1.txt`, "");
  await Deno.mkdir(`${dir}/newdir`);
  await Deno.writeTextFile(`${dir}/newdir/x`, "");
  assert.deepEqual(await status(dir), {
    branch: "main",
    head: local,
    upstream: "origin/main",
    upstreamGone: false,
    ahead: 1,
    behind: 2,
    staged: 1,
    unstaged: 2,
    untracked: 2,
    conflicted: 0,
    stash: 2,
  });
  assert.equal(await isDirty(dir), true);

  // Only untracked files: dirty unless told to ignore them.
  const only = `${tmp.path}/only`;
  await clone(remote.url, only);
  await Deno.writeTextFile(`${only}/scratch`, "");
  assert.equal(await isDirty(only), true);
  assert.equal(await isDirty(only, { untracked: false }), false);
});

Deno.test("status: detached, no commit yet, upstream gone, conflicts", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "zeta", {
    files: { "f.txt": "base\n" },
    commits: 2,
    branches: { gone: { "g.txt": "g\n" } },
  });
  const detached = `${tmp.path}/detached`;
  await clone(remote.url, detached, { revision: remote.commits[0] });
  const d = await status(detached);
  assert.equal(d.branch, null);
  assert.equal(d.head, remote.commits[0]);
  assert.equal(d.upstream, null);
  assert.equal(await currentBranch(detached), null);

  const fresh = `${tmp.path}/fresh`;
  await gitIn(tmp.path, ["init", "--quiet", "--initial-branch=trunk", "fresh"]);
  const f = await status(fresh);
  assert.equal(f.branch, "trunk");
  assert.equal(f.head, null);
  assert.equal(await headCommit(fresh), null);
  assert.equal(await currentBranch(fresh), "trunk");

  const gone = `${tmp.path}/gone`;
  await clone(remote.url, gone, { revision: "gone" });
  await gitIn(remote.path, ["branch", "-D", "gone"]);
  await fetch(gone, { prune: true });
  const g = await status(gone);
  assert.equal(g.upstream, "origin/gone");
  assert.equal(g.upstreamGone, true);

  const conflict = `${tmp.path}/conflict`;
  await clone(remote.url, conflict);
  await gitIn(conflict, ["checkout", "--quiet", "-b", "side", remote.commits[0]]);
  await commitFile(conflict, "f.txt", "side\n", "Side");
  await gitIn(conflict, ["checkout", "--quiet", "main"]);
  await commitFile(conflict, "f.txt", "main\n", "Main");
  const merge = await gitIn(conflict, ["merge", "side"]).catch((e) => String(e));
  assert.match(merge, /conflict/i);
  const c = await status(conflict);
  assert.equal(c.conflicted, 1);
  assert.equal(await isDirty(conflict), true);
});

Deno.test("isRepo is true only at the top of a working tree", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "eta");
  const dir = `${tmp.path}/eta`;
  await clone(remote.url, dir);
  await Deno.mkdir(`${dir}/sub`);
  await Deno.mkdir(`${tmp.path}/plain`);
  const cases: [string, boolean][] = [
    [dir, true],
    [`${dir}/`, true],
    [`${dir}/sub`, false],
    [`${tmp.path}/plain`, false],
    [`${tmp.path}/missing`, false],
    [remote.path, false],
  ];
  for (const [path, expected] of cases) assert.equal(await isRepo(path), expected, path);
  // A broken .git is not a repository.
  await Deno.mkdir(`${tmp.path}/fake/.git`, { recursive: true });
  assert.equal(await isRepo(`${tmp.path}/fake`), false);
});

Deno.test("remoteUrl and setRemoteUrl read, change and add remotes", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "theta");
  const dir = `${tmp.path}/theta`;
  await clone(remote.url, dir);
  assert.equal(await remoteUrl(dir), remote.url);
  assert.equal(await remoteUrl(dir, { name: "upstream" }), null);
  await setRemoteUrl(dir, "https://example.com/theta.git");
  assert.equal(await remoteUrl(dir), "https://example.com/theta.git");
  await setRemoteUrl(dir, remote.path, { name: "upstream" });
  assert.equal(await remoteUrl(dir, { name: "upstream" }), remote.path);
  assert.ok(sameRemote(remote.path, remote.url));
  await assert.rejects(setRemoteUrl(dir, "-oProxyCommand=x"), /begins with "-"/);
  await assert.rejects(remoteUrl(dir, { name: "--bad" }), /not a valid remote name/);
  await rejectsGit(remoteUrl(`${tmp.path}`), "other");
});

Deno.test("revParse, checkout, fetch and isAncestor on a real clone", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "iota", {
    commits: 3,
    branches: { feature: { "feat.txt": "f\n" } },
    tags: { "v0.1": 0 },
  });
  const dir = `${tmp.path}/iota`;
  await clone(remote.url, dir);
  assert.equal(await revParse(dir, "HEAD~2"), remote.commits[0]);
  assert.equal(await revParse(dir, "v0.1"), remote.commits[0], "annotated tag peeled");
  assert.equal(await revParse(dir, "origin/feature"), remote.branches.feature);
  assert.equal(await revParse(dir, "no-such-ref"), null);
  assert.equal(await revParse(dir, "--all"), null, "an option is a revision, never an option");
  await rejectsGit(revParse(tmp.path, "HEAD"), "other");

  assert.deepEqual(await checkout(dir, "feature"), {
    head: remote.branches.feature,
    branch: "feature",
  });
  assert.deepEqual(await checkout(dir, "v0.1"), { head: remote.commits[0], branch: null });
  assert.deepEqual(await checkout(dir, remote.commits[1]), {
    head: remote.commits[1],
    branch: null,
  });
  assert.deepEqual(await checkout(dir, "main"), { head: remote.commits[2], branch: "main" });
  await rejectsGit(checkout(dir, "nowhere"), "notfound");
  await assert.rejects(checkout(dir, "-f"), /begins with "-"/);

  const later = await commitFile(remote.work, "later.txt", "x\n", "Later");
  await pushAll(remote.work);
  assert.equal(await revParse(dir, "origin/main"), remote.commits[2]);
  await fetch(dir);
  assert.equal(await revParse(dir, "origin/main"), later);
  assert.equal(await isAncestor(dir, { ancestor: remote.commits[2], descendant: later }), true);
  assert.equal(await isAncestor(dir, { ancestor: later, descendant: remote.commits[2] }), false);
  await fetch(dir, { refspecs: ["feature"], tags: false, prune: true });
  await rejectsGit(fetch(dir, { remote: "nowhere" }), "notfound");
  await assert.rejects(fetch(dir, { refspecs: ["--upload-pack=x"] }), /begins with "-"/);
});

Deno.test("rebase: onto the upstream; a conflict or an interruption is aborted, nothing changed", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "rho", { files: { "f.txt": "1\n" } });
  const dir = `${tmp.path}/rho`;
  await clone(remote.url, dir);
  await gitIn(dir, ["config", "user.name", "wrknv test"]);
  await gitIn(dir, ["config", "user.email", "test@wrknv.invalid"]);
  const inProgress = () =>
    exists(`${dir}/.git/rebase-merge`).then(async (a) =>
      a || await exists(`${dir}/.git/rebase-apply`)
    );

  // Diverged without a conflict: the local commit goes on top of theirs.
  await commitFile(dir, "mine.txt", "m\n", "Mine");
  const theirs = await commitFile(remote.work, "theirs.txt", "t\n", "Theirs");
  await pushAll(remote.work);
  await fetch(dir);
  assert.equal(await rebase(dir), "rebased");
  assert.equal(await gitIn(dir, ["rev-parse", "HEAD~1"]), theirs);
  assert.equal(await Deno.readTextFile(`${dir}/mine.txt`), "m\n");

  // Both sides change one line: a conflict, aborted; the branch and its files are as before.
  const mine = await commitFile(dir, "f.txt", "mine\n", "Mine again");
  await commitFile(remote.work, "f.txt", "theirs\n", "Theirs again");
  await pushAll(remote.work);
  await fetch(dir);
  assert.equal(await rebase(dir), "conflict");
  assert.equal(await headCommit(dir), mine);
  assert.equal(await Deno.readTextFile(`${dir}/f.txt`), "mine\n");
  assert.equal(await inProgress(), false);
  assert.equal(await isDirty(dir), false);

  // Refused before it began (a pre-rebase hook says no): that is git's reason, not a conflict.
  await Deno.writeTextFile(
    `${dir}/.git/hooks/pre-rebase`,
    "#!/bin/sh\necho no rebases here >&2\nexit 1\n",
    {
      mode: 0o755,
    },
  );
  await assert.rejects(
    rebase(dir),
    (e: unknown) => e instanceof GitError && /rebase/.test(e.message),
  );
  assert.equal(await headCommit(dir), mine);
  await Deno.remove(`${dir}/.git/hooks/pre-rebase`);

  // Interrupted half-way (a hook that hangs after the first of two commits is replayed): the
  // rebase is aborted too, and the interruption is what is thrown.
  await gitIn(dir, ["reset", "--quiet", "--hard", "HEAD~1"]);
  await commitFile(dir, "one.txt", "1\n", "One");
  const two = await commitFile(dir, "two.txt", "2\n", "Two");
  const marker = `${tmp.path}/hook-ran`;
  await Deno.writeTextFile(
    `${dir}/.git/hooks/post-commit`,
    `#!/bin/sh\n[ -d "$(git rev-parse --git-path rebase-merge)" ] || exit 0\ntouch '${marker}'\nsleep 600\n`,
    { mode: 0o755 },
  );
  const stop = new AbortController();
  const rebasing = rebase(dir, { signal: stop.signal });
  await waitUntil("the hook to run mid-rebase", () => exists(marker));
  assert.equal(await inProgress(), true);
  stop.abort();
  await assert.rejects(rebasing, InterruptedError);
  assert.equal(await headCommit(dir), two);
  assert.equal(await inProgress(), false);
  await Deno.remove(`${dir}/.git/hooks/post-commit`);

  await assert.rejects(rebase(dir, { onto: "--exec=touch x" }), /begins with "-"/);
});

Deno.test("mergeFfOnly fast-forwards, reports up-to-date and diverged, stops for local changes", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "kappa", { files: { "f.txt": "1\n" } });
  const dir = `${tmp.path}/kappa`;
  await clone(remote.url, dir);
  const start = remote.commits[0];

  assert.deepEqual(await mergeFfOnly(dir), { status: "up-to-date", before: start, after: start });

  const next = await commitFile(remote.work, "f.txt", "2\n", "Two");
  await pushAll(remote.work);
  await fetch(dir);
  assert.deepEqual(await mergeFfOnly(dir), { status: "updated", before: start, after: next });
  assert.equal(await Deno.readTextFile(`${dir}/f.txt`), "2\n");

  // Local ahead: nothing to take.
  const mine = await commitFile(dir, "mine.txt", "m\n", "Mine");
  assert.deepEqual(await mergeFfOnly(dir), { status: "up-to-date", before: mine, after: mine });

  // Both sides moved: diverged, nothing changed.
  await commitFile(remote.work, "theirs.txt", "t\n", "Theirs");
  await pushAll(remote.work);
  await fetch(dir);
  assert.deepEqual(await mergeFfOnly(dir), { status: "diverged", before: mine, after: mine });
  assert.equal(await headCommit(dir), mine);

  // Local changes in the way: an error, and the change is kept.
  const other = `${tmp.path}/other`;
  await clone(remote.url, other, { revision: start });
  await gitIn(other, ["checkout", "--quiet", "-B", "main", "--track", "origin/main"]);
  await gitIn(other, ["reset", "--quiet", "--hard", start]);
  await Deno.writeTextFile(`${other}/f.txt`, "local edit\n");
  await rejectsGit(mergeFfOnly(other), "other", /would be overwritten/);
  assert.equal(await Deno.readTextFile(`${other}/f.txt`), "local edit\n");

  // Detached HEAD has no upstream.
  await checkout(dir, start);
  await rejectsGit(mergeFfOnly(dir), "other", /HEAD does not point to a branch/);
});

Deno.test("git ignores GIT_DIR and GIT_WORK_TREE inherited from a hook", async () => {
  await using tmp = await tempDir();
  const a = await makeRemote(tmp.path, "lambda");
  const b = await makeRemote(tmp.path, "mu", { commits: 2 });
  await clone(a.url, `${tmp.path}/a`);
  await clone(b.url, `${tmp.path}/b`);
  Deno.env.set("GIT_DIR", `${tmp.path}/b/.git`);
  Deno.env.set("GIT_WORK_TREE", `${tmp.path}/b`);
  try {
    assert.equal(await headCommit(`${tmp.path}/a`), a.commits[0]);
    assert.equal((await status(`${tmp.path}/a`)).head, a.commits[0]);
  } finally {
    Deno.env.delete("GIT_DIR");
    Deno.env.delete("GIT_WORK_TREE");
  }
});

Deno.test("without git on PATH the adapter says so", async () => {
  await using tmp = await tempDir();
  const path = Deno.env.get("PATH") ?? "";
  Deno.env.set("PATH", `${tmp.path}/empty-bin`);
  try {
    await assert.rejects(
      headCommit(tmp.path),
      (e: unknown) => e instanceof WrknvError && e.message === "git not found on PATH",
    );
  } finally {
    Deno.env.set("PATH", path);
  }
});

Deno.test("a core.sshCommand in the user's config is not overridden", async () => {
  await using tmp = await tempDir();
  const remote = await makeRemote(tmp.path, "nu");
  const dir = `${tmp.path}/nu`;
  await clone(remote.url, dir);
  const log = `${tmp.path}/fake-ssh.log`;
  const fake = `${tmp.path}/fake-ssh`;
  await Deno.writeTextFile(fake, `#!/bin/sh\necho "$@" >> '${log}'\nexit 1\n`);
  await Deno.chmod(fake, 0o755);
  await gitIn(dir, ["config", "core.sshCommand", fake]);
  await setRemoteUrl(dir, "ssh://git@127.0.0.1/nu.git");
  await assert.rejects(fetch(dir), GitError);
  assert.match(await Deno.readTextFile(log), /git@127\.0\.0\.1 .*git-upload-pack/);
});

Deno.test("parseGrep: git grep -z -n output", async (t) => {
  const cases: [string, string, { file: string; line: number; text: string }[]][] = [
    ["nothing", "", []],
    ["one match", "a.py\x0012\x00x = 1\n", [{ file: "a.py", line: 12, text: "x = 1" }]],
    ["colons and spaces in names and text", "a b:c.txt\x003\x00k: v\nd/e.py\x001\x00\n", [
      { file: "a b:c.txt", line: 3, text: "k: v" },
      { file: "d/e.py", line: 1, text: "" },
    ]],
    ["a newline in a file name", "odd\nname\x007\x00hit\n", [
      { file: "odd\nname", line: 7, text: "hit" },
    ]],
    ["no final newline", "a\x001\x00end", [{ file: "a", line: 1, text: "end" }]],
    ["a cut-off tail is left out", "a\x002\x00ok\nb\x00", [{ file: "a", line: 2, text: "ok" }]],
    ["a record without a line number is skipped", "a\x00x\x00no\nb\x001\x00yes\n", [
      { file: "b", line: 1, text: "yes" },
    ]],
  ];
  for (const [name, input, want] of cases) {
    await t.step(name, () => assert.deepEqual(parseGrep(input), want));
  }
});

Deno.test("branchNameProblem: git's ref-name rules for a new branch", async (t) => {
  const ok = ["feature", "feat/login-page", "JIRA-123_fix", "v2.0", "a.b/c"];
  const bad = [
    "",
    "-b",
    "has space",
    "a..b",
    "a@{1}",
    "x~1",
    "ends/",
    "ends.",
    "a//b",
    ".hidden",
    "a/.b",
    "x.lock",
    "a/b.lock/c",
    "@",
    "HEAD",
    "ctl\x01",
  ];
  for (const name of ok) {
    await t.step(`ok: ${name}`, () => assert.equal(branchNameProblem(name), null));
  }
  for (const name of bad) {
    await t.step(`refused: ${JSON.stringify(name)}`, () => assert.ok(branchNameProblem(name)));
  }
});
