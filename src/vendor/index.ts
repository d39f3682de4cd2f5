/**
 * zod, through one door (and `importEsm`, esm-import.ts). The build swaps this module for a bundle
 * of only the builders named in scripts/slim-zod.mjs: the package's own entry loads 97 files, 60 of
 * them locales we never show, which cost every command that validates about 65 ms of start-up (on
 * the Pi, several times that). Run from the sources (tests, tsx), it is zod itself.
 */
export { toJSONSchema, z } from "zod";
export { importEsm } from "./esm-import.js";
