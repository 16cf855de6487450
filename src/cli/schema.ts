/**
 * `wrknv schema`: print the JSON Schema of wrknv.toml.
 *
 * @module
 */
import { jsonSchema } from "../config/schema.ts";
import type { Context } from "./context.ts";
import { ExitCode, type ExitStatus } from "../errors.ts";

/** The schema as committed in wrknv.schema.json. */
export function schemaText(): string {
  return JSON.stringify(jsonSchema(), null, 2) + "\n";
}

/** Run `wrknv schema`. */
export function schemaCommand(ctx: Context): Promise<ExitStatus> {
  ctx.printer.raw(schemaText());
  return Promise.resolve(ExitCode.ok);
}
