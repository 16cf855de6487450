/** The wrknv version, printed by `wrknv --version`. */
export const VERSION = "0.1.0";

/** Where editors fetch the JSON Schema that the `#:schema` line of wrknv.toml names. */
export const SCHEMA_URL =
  `https://raw.githubusercontent.com/wrknv/wrknv/v${VERSION}/wrknv.schema.json`;
