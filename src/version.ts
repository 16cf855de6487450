/** The wrknv version, printed by `wrknv --version`. */
export const VERSION = "0.1.0";
