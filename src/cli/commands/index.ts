/** Every subcommand of `journal`. Each module owns one command. */
import type { Command } from "commander";
import * as backup from "./backup.js";
import * as exportCmd from "./export.js";
import * as importCmd from "./import.js";
import * as live from "./live.js";
import * as orders from "./orders.js";
import * as positions from "./positions.js";
import * as quickstart from "./quickstart.js";
import * as rebuild from "./rebuild.js";
import * as replay from "./replay.js";
import * as report from "./report.js";
import * as sessions from "./sessions.js";
import * as sim from "./sim.js";
import * as sql from "./sql.js";
import * as verify from "./verify.js";

export function registerCommands(program: Command): void {
  for (const command of [
    sessions,
    verify,
    backup,
    exportCmd,
    importCmd,
    rebuild,
    positions,
    orders,
    live,
    sim,
    replay,
    sql,
    report,
    quickstart,
  ]) {
    command.register(program);
  }
}
