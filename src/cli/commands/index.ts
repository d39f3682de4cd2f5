/**
 * Every subcommand of `journal`, loaded on demand. Each module owns one command and registers it;
 * this table holds only what the top-level help shows, so `journal --help` loads no command module
 * and `journal sessions` loads only ./sessions.js (and what it imports). A test checks that each
 * module registers the name and arguments written here.
 */
import type { Command } from "commander";

/** A command module: registers one subcommand on the program. */
export interface CommandModule {
  register(program: Command): void;
}

/** One line of the top-level help, and where the command's code is. */
export interface CommandEntry {
  /** The name and its positional arguments, as commander declares them (`import <file>`). */
  readonly usage: string;
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** In the order the help lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  sessions: {
    usage: "sessions",
    summary: "list sessions per stream, with event counts and time span",
    load: () => import("./sessions.js"),
  },
  verify: {
    usage: "verify",
    summary: "check the hash chain, every event's schema, and that seq and pos have no gaps",
    load: () => import("./verify.js"),
  },
  backup: {
    usage: "backup",
    summary: "copy the journal consistently while live writes it, verify the copy, then rename it into place",
    load: () => import("./backup.js"),
  },
  restore: {
    usage: "restore",
    summary: "put a verified backup in the journal's place, keeping the old journal and its files aside",
    load: () => import("./restore.js"),
  },
  export: {
    usage: "export",
    summary: "write a session's events as JSON lines to stdout",
    load: () => import("./export.js"),
  },
  import: {
    usage: "import <file>",
    summary: "append events from a JSON-lines file (all or nothing; importing twice adds nothing)",
    load: () => import("./import.js"),
  },
  rebuild: {
    usage: "rebuild",
    summary: "drop and rebuild the projection tables from the events",
    load: () => import("./rebuild.js"),
  },
  positions: {
    usage: "positions",
    summary: "current positions of a stream, with P&L",
    load: () => import("./positions.js"),
  },
  orders: {
    usage: "orders",
    summary: "every order of a stream with its current state",
    load: () => import("./orders.js"),
  },
  day: {
    usage: "day",
    summary:
      "one session at a glance in 80 columns: P&L, fees, greeks, stops, notices, best/worst, replay runs",
    load: () => import("./day.js"),
  },
  trades: {
    usage: "trades",
    summary:
      "round trips of a stream, or sliced by hour, weekday, symbol, exit or tag with their sample sizes",
    load: () => import("./trades.js"),
  },
  live: {
    usage: "live",
    summary: "poll IB Gateway in cycles and journal everything (dry run unless --paper)",
    load: () => import("./live.js"),
  },
  sim: {
    usage: "sim",
    summary: "run the fake IB Gateway (TWS socket protocol, seeded market, optional faults)",
    load: () => import("./sim.js"),
  },
  wire: {
    usage: "wire",
    summary: "a captured session's TWS frames decoded field by field (journal live --capture)",
    load: () => import("./wire.js"),
  },
  replay: {
    usage: "replay",
    summary: "rerun a strategy over captured sessions: parity with live, or a what-if",
    load: () => import("./replay.js"),
  },
  strategies: {
    usage: "strategies",
    summary: "list the shipped strategies and their parameters (types and defaults)",
    load: () => import("./strategies.js"),
  },
  sql: {
    usage: "sql [query]",
    summary: "run read-only SQL over the journal and its post-mortem views",
    load: () => import("./sql.js"),
  },
  report: {
    usage: "report",
    summary: "write a self-contained HTML report of a session",
    load: () => import("./report.js"),
  },
  ship: {
    usage: "ship",
    summary: "copy new events to a central PostgreSQL journal (exactly once, resumable)",
    load: () => import("./ship.js"),
  },
  note: {
    usage: "note <text>",
    summary: "append a note (with tags) about a session, a trade or an order; a correction is another note",
    load: () => import("./note.js"),
  },
  serve: {
    usage: "serve",
    summary: "serve the journal read-only over HTTP for a phone: now (live), sessions, reports, trades, SQL",
    load: () => import("./serve.js"),
  },
  quickstart: {
    usage: "quickstart",
    summary: "import the bundled sample sessions, replay 2026-02-04 and write its report",
    load: () => import("./quickstart.js"),
  },
};

/**
 * Register what `args` (the command line after `node journal`) needs: the named command in full,
 * or, when none is named (help, a typo), every command as a one-line entry so commander can list
 * them and suggest the nearest name.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const words = args.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  const entry = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry) {
    (await entry.load()).register(program);
    return;
  }
  for (const { usage, summary } of Object.values(COMMANDS)) program.command(usage).summary(summary);
}
