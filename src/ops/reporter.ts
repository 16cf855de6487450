/**
 * The reporter interface, as the operations import it. It lives at the top of
 * src/ (src/reporter.ts) because both sides use it: operations report through
 * it, and src/ui implements it, and ui may not import ops.
 *
 * @module
 */
export { type Reporter, silentReporter } from "../reporter.ts";
