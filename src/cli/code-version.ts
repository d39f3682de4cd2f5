/** The code version journaled with every session: package version plus the git commit when known. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

/** The folder holding our package.json (works from src/ under tsx and from dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function codeVersion(): string {
  if (cached !== null) return cached;
  const root = packageRoot();
  let version = "0.0.0";
  try {
    version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  } catch {}
  const commit = headCommit(root)?.slice(0, 7);
  cached = commit ? `${version}+${commit}` : version;
  return cached;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The commit HEAD names in the checkout at `root`, read from git's files rather than by starting
 * `git rev-parse` (a process of its own: 10 to 30 ms of every replay's start-up, and nothing on a
 * Pi without git). Follows a worktree's or submodule's `.git` file, a symbolic HEAD, loose refs and
 * packed-refs; anything else (no checkout, an unborn branch) is no commit.
 */
export function headCommit(root: string): string | undefined {
  const dotGit = join(root, ".git");
  const pointer = readText(dotGit);
  const gitDir = pointer?.startsWith("gitdir:") ? resolveFrom(root, pointer.slice(7).trim()) : dotGit;
  const head = readText(join(gitDir, "HEAD"))?.trim();
  if (head === undefined) return undefined;
  if (!head.startsWith("ref:")) return isCommitId(head) ? head : undefined;
  const ref = head.slice(4).trim();
  // A linked worktree keeps its HEAD but shares the refs of the main checkout.
  const common = readText(join(gitDir, "commondir"))?.trim();
  const refsDir = common === undefined ? gitDir : resolveFrom(gitDir, common);
  for (const dir of new Set([gitDir, refsDir])) {
    const loose = readText(join(dir, ref))?.trim();
    if (loose !== undefined && isCommitId(loose)) return loose;
  }
  for (const line of (readText(join(refsDir, "packed-refs")) ?? "").split("\n")) {
    const [id, name] = line.trim().split(" ");
    if (name === ref && id !== undefined && isCommitId(id)) return id;
  }
  return undefined;
}

const resolveFrom = (base: string, path: string) => (isAbsolute(path) ? path : join(base, path));
const isCommitId = (text: string) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(text);
