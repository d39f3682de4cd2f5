/** The members of `z` the sources use as values, bundled into dist/src/vendor/index.js. */
export const SLIM_ZOD_BUILDERS: readonly string[];
/** Replace dist/src/vendor/index.js with a bundle of only SLIM_ZOD_BUILDERS and toJSONSchema. */
export function slimZod(): void;
