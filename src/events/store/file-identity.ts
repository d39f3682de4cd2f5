/**
 * Which file a path names, whatever its spelling: a relative path, `..`, a symlink to the journal
 * or to one of its folders all name the same file, and the writer lock, the backup and the restore
 * must see that. Hard links are the spelling no path arithmetic can see; they are found by the
 * file's identity (device + inode) and its link count.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/**
 * The canonical path of `path`: absolute, with every symlink resolved (the file's own and its
 * folders'). A file that does not exist yet resolves through its folder, and a dangling symlink
 * through its target, which is where a writer following it would create the file.
 *
 * @example realFilePath("other/b.db") // "/home/pi/data/a.db" when other/b.db -> ../data/a.db
 */
export function realFilePath(path: string): string {
  let current = resolve(path);
  // 40 hops: the kernel's own limit on a chain of links (ELOOP) is of that order.
  for (let hop = 0; hop < 40; hop++) {
    try {
      return realpathSync(current);
    } catch {
      // Not there (yet): follow a dangling link by hand, else resolve the folder alone.
    }
    let link: string | undefined;
    try {
      if (lstatSync(current).isSymbolicLink()) link = readlinkSync(current);
    } catch {
      link = undefined;
    }
    if (link === undefined) {
      try {
        return join(realpathSync(dirname(current)), basename(current));
      } catch {
        return current;
      }
    }
    current = isAbsolute(link) ? link : resolve(dirname(current), link);
  }
  return current;
}

/** True when `a` and `b` are the same file on disk (same device and inode); false when either is missing. */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a, { bigint: true });
    const y = statSync(b, { bigint: true });
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** How many names (hard links) the file at `path` has; 0 when it does not exist. */
export function linkCount(path: string): number {
  try {
    return statSync(path).nlink;
  } catch {
    return 0;
  }
}

/**
 * The files that belong to a journal besides the database: SQLite's WAL, its index and a rollback
 * journal; the seq mark; the writer lock (its database, its rollback journal, the holder record);
 * live's clientId counter.
 */
export const COMPANION_SUFFIXES = [
  "-wal",
  "-shm",
  "-journal",
  "-seq",
  ".lock",
  ".lock-journal",
  ".lock.json",
  ".clientid",
] as const;

/**
 * Every path a journal's companions may have: beside the path given and beside the real file
 * (SQLite puts its `-wal` and `-shm` beside the real file; our side files follow the path given).
 */
export function companionPaths(journalPath: string): string[] {
  const spellings = [...new Set([resolve(journalPath), realFilePath(journalPath)])];
  return spellings.flatMap((p) => COMPANION_SUFFIXES.map((suffix) => `${p}${suffix}`));
}

/**
 * What `candidate` is to the journal at `journalPath`: the journal itself, one of its companions
 * (named), or nothing. Compared by canonical path and, where both exist, by identity, so a
 * symlink, a relative spelling or a hard link of either is recognised.
 */
export function relationTo(
  journalPath: string,
  candidate: string,
): { kind: "journal" } | { kind: "companion"; path: string } | undefined {
  const real = realFilePath(candidate);
  if (real === realFilePath(journalPath) || sameFile(candidate, journalPath)) return { kind: "journal" };
  for (const companion of companionPaths(journalPath)) {
    if (real === realFilePath(companion) || (existsSync(companion) && sameFile(candidate, companion)))
      return { kind: "companion", path: companion };
  }
  return undefined;
}
