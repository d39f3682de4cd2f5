/**
 * The child process that runs a `journal sql` statement (see sql-runner.ts for why a child).
 *
 * Two Node start-ups in a row would cost twice `node -e 0` before the first row; the bin starts
 * the child as its very first step when the command is `sql`, so it loads SQLite while the parent
 * parses the command line, and the parent hands it the job on stdin. An unused child (a usage
 * error, `--help`) sees stdin close and exits without a word.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { PARENT_PID_ENV, PARENT_WATCH_ENV } from "./parent-watch.js";
import { useBundle } from "./program-module.js";

let started: ChildProcess | undefined;

/**
 * The node arguments that start the runner: the build's bundle of it (./bundle/, by
 * scripts/bundle-cli.mjs: it loads in a fraction of its 65 modules' time) unless JOURNAL_BUNDLE=off,
 * else the built modules, else the sources through tsx.
 */
export function runnerArgs(): string[] {
  if (useBundle("sql-runner.js")) return [fileURLToPath(new URL("./bundle/sql-runner.js", import.meta.url))];
  const js = fileURLToPath(new URL("./sql-runner.js", import.meta.url));
  if (existsSync(js)) return [js];
  // Running from the TypeScript sources (tests without a build): load through tsx.
  return ["--import", "tsx", fileURLToPath(new URL("./sql-runner.ts", import.meta.url))];
}

/**
 * util-linux's setpriv, on every Debian and Raspberry Pi OS (util-linux is essential there): it
 * sets the runner's parent-death signal, so the kernel kills the runner if this process dies,
 * even of a SIGKILL. Elsewhere (macOS), or with JOURNAL_SQL_PARENT_WATCH=thread, the runner
 * watches for it with a thread of its own (parent-watch.ts).
 */
function setpriv(): string | undefined {
  if (process.platform !== "linux" || process.env[PARENT_WATCH_ENV] === "thread") return undefined;
  return ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));
}

function spawnRunner(): ChildProcess {
  const viaSetpriv = setpriv();
  const env = {
    ...process.env,
    [PARENT_WATCH_ENV]: viaSetpriv ? "kernel" : "thread",
    [PARENT_PID_ENV]: String(process.pid),
  };
  const node = [process.execPath, ...runnerArgs()];
  const child = viaSetpriv
    ? spawn(viaSetpriv, ["--pdeathsig", "KILL", ...node], { stdio: ["pipe", "inherit", "inherit"], env })
    : spawn(node[0]!, node.slice(1), { stdio: ["pipe", "inherit", "inherit"], env });
  // The parent may exit before it writes (a usage error): a closed pipe is then no error.
  child.stdin?.on("error", () => {});
  killOnSignal(child);
  return child;
}

/**
 * A SIGTERM or SIGINT (or a closed terminal's SIGHUP) of the command stops its query too, at once:
 * SIGKILL, because the child may be inside one native SQLite call. The command then exits as the
 * signal would have ended it (128 + its number). A SIGKILL of the command, which nothing can
 * catch, the child notices by itself (parent-watch.ts).
 */
function killOnSignal(child: ChildProcess): void {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.once(signal, () => {
      child.kill("SIGKILL");
      process.exit(128 + constants.signals[signal]);
    });
}

/** Called by the bin before anything else: starts the runner early when argv names `sql`. */
export function startSqlChildEarly(argv: readonly string[]): void {
  if (argv[2] === "sql" && !argv.includes("--help") && !argv.includes("-h")) started = spawnRunner();
}

/** The runner started early, or a new one: the caller writes the job to its stdin. */
export function takeSqlChild(): ChildProcess {
  const child = started ?? spawnRunner();
  started = undefined;
  return child;
}

/** Lets a runner started early go (the command needed none): it exits when its stdin closes. */
export function releaseSqlChild(): void {
  started?.stdin?.end();
  started = undefined;
}
