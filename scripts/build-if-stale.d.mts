/** Build dist/ with tsc when it is missing or older than a source; true when it built. */
export function buildIfStale(): Promise<boolean>;
