/**
 * wrknv: one workspace from many git repositories.
 *
 * This file only wires the command line to the process: everything else is in src/.
 *
 * @module
 */
import { main } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
