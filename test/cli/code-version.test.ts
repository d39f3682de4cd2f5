/**
 * The commit journaled with every session is read from git's files: it must be the one
 * `git rev-parse HEAD` names, however the checkout keeps its refs.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { headCommit, packageRoot } from "../../src/cli/code-version.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** A repository with two commits on main, committed by a fixed identity. */
function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), "code-version-"));
  dirs.push(dir);
  git(dir, "init", "-q", "-b", "main");
  for (const n of [1, 2]) {
    writeFileSync(join(dir, "file.txt"), `${n}\n`);
    git(dir, "add", "file.txt");
    git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", `c${n}`);
  }
  return dir;
}

describe("headCommit", () => {
  it("names our own checkout's HEAD", () => {
    const root = packageRoot();
    expect(headCommit(root)).toBe(git(root, "rev-parse", "HEAD"));
  });

  it("follows a branch through a loose ref, then through packed-refs", () => {
    const dir = repository();
    expect(headCommit(dir)).toBe(git(dir, "rev-parse", "HEAD"));
    git(dir, "pack-refs", "--all");
    expect(headCommit(dir)).toBe(git(dir, "rev-parse", "HEAD"));
  });

  it("reads a detached HEAD", () => {
    const dir = repository();
    git(dir, "checkout", "-q", "HEAD~1");
    expect(headCommit(dir)).toBe(git(dir, "rev-parse", "HEAD"));
  });

  it("reads a linked worktree's own HEAD, with the main checkout's refs", () => {
    const dir = repository();
    const tree = join(dir, "wt");
    git(dir, "worktree", "add", "-q", "-b", "other", tree, "HEAD~1");
    git(dir, "pack-refs", "--all");
    expect(headCommit(tree)).toBe(git(tree, "rev-parse", "HEAD"));
    expect(headCommit(tree)).not.toBe(headCommit(dir));
  });

  it("is no commit outside a checkout and on an unborn branch", () => {
    const plain = mkdtempSync(join(tmpdir(), "code-version-"));
    dirs.push(plain);
    expect(headCommit(plain)).toBeUndefined();
    git(plain, "init", "-q", "-b", "main");
    expect(headCommit(plain)).toBeUndefined();
  });
});
