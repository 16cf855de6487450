/**
 * `wrknv upgrade [--to V]`: replace the running binary with a release,
 * checked against the release's SHA256SUMS, atomically (the old binary stays
 * unless the new one is complete and verified). The work is in ops/upgrade.ts,
 * the release layout in release.ts.
 *
 * @module
 */
import { ExitCode, type ExitStatus, WrknvError } from "../errors.ts";
import { runtime } from "../runtime.ts";
import { VERSION } from "../version.ts";
import { detectTarget, isCompiled, parseVersion, RELEASES } from "../release.ts";
import type { Context } from "./context.ts";

/** Run `wrknv upgrade`. */
export async function upgradeCommand(ctx: Context, flags: { to?: string }): Promise<ExitStatus> {
  // WRKNV_UPGRADE_BINARY names the binary to replace (tests, packagers).
  const binary = runtime.env("WRKNV_UPGRADE_BINARY") ??
    (isCompiled() ? Deno.execPath() : undefined);
  if (!binary) {
    throw new WrknvError("wrknv is running from source (deno run): there is no binary to replace", {
      hint:
        `update the source instead (git pull && deno task compile), or install a release: curl -fsSL ${RELEASES}/latest/download/install.sh | sh`,
    });
  }
  const version = flags.to === undefined ? "latest" : parseVersion(flags.to);
  const target = detectTarget();
  if (!target) {
    throw new WrknvError(
      `no release is published for ${Deno.build.os} ${Deno.build.arch}; build from source`,
    );
  }
  const { upgradeBinary } = await import("../ops/upgrade.ts");
  const r = await upgradeBinary({
    base: runtime.env("WRKNV_DOWNLOAD_URL") ?? RELEASES,
    version,
    target,
    binaryPath: binary,
    signal: ctx.signal,
  });
  const printed = ctx.printer.json(() => ({
    ok: true,
    from: VERSION,
    to: version,
    url: r.url,
    binary: r.binaryPath,
    sha256: r.sha256,
  }));
  if (!printed) {
    ctx.printer.detail(`upgraded ${r.binaryPath} from ${VERSION} to ${version} (${r.url})\n`);
  }
  return ExitCode.ok;
}
