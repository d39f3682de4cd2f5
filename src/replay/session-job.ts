/**
 * One session's replay as a self-contained job: what a worker thread (or the main thread) runs.
 */
import {
  type EventFilter,
  isPostgresUrl,
  maskPassword,
  openAsyncJournal,
  openJournal,
  type StoredEvent,
} from "../events/index.js";
import { type OutcomeMode, replaySession, type SessionReplay } from "./engine.js";
import { fillModelByName } from "./fill-model.js";
import { ReplayRefused } from "./refused.js";
import { loadStrategy } from "./strategy-loader.js";

export interface SessionJob {
  sourcePath: string;
  sourceStream: string;
  /** On a PostgreSQL source: whose chain. */
  sourceBot?: string;
  session: string;
  /**
   * Verify the session (SQLite sources) in the same read that loads it, and refuse it if it fails;
   * false only with --force. A fleet source is verified by the caller.
   */
  verify?: boolean;
  /** Shipped strategy name, or a module path; null = the one live ran (from SessionOpened). */
  strategy: string | null;
  paramOverrides: Record<string, unknown>;
  fillModel: string;
  codeVersion: string;
  /** Where the strategy's order outcomes come from; `auto` when absent. */
  outcomes?: OutcomeMode | "auto";
  fromTs?: number;
  toTs?: number;
}

export async function runSessionJob(job: SessionJob): Promise<SessionReplay> {
  const filter = {
    stream: job.sourceStream,
    session: job.session,
    ...(job.fromTs === undefined ? {} : { fromTs: job.fromTs }),
    ...(job.toTs === undefined ? {} : { toTs: job.toTs }),
  };
  const events = isPostgresUrl(job.sourcePath) ? await readFleet(job, filter) : readFile(job, filter);
  let name = job.strategy;
  if (name === null) {
    const opened = events.find((e) => e.type === "SessionOpened");
    if (opened?.type !== "SessionOpened")
      throw new Error(`session ${job.session} has no SessionOpened: pass --strategy`);
    name = opened.payload.strategy.name;
  }
  const strategy = await loadStrategy(name);
  const fillModel = fillModelByName(job.fillModel);
  if (!fillModel) throw new Error(`unknown fill model "${job.fillModel}" (known: next-quote, mid)`);
  return replaySession({
    session: job.session,
    sourceJournal: isPostgresUrl(job.sourcePath) ? maskPassword(job.sourcePath) : job.sourcePath,
    sourceStream: job.sourceStream,
    events,
    strategy,
    paramOverrides: job.paramOverrides,
    fillModel,
    codeVersion: job.codeVersion,
    outcomes: job.outcomes ?? "auto",
  });
}

function readFile(job: SessionJob, filter: EventFilter): StoredEvent[] {
  const source = openJournal(job.sourcePath, { readonly: true });
  try {
    if (!job.verify) return [...source.read(filter)];
    const { report, events } = source.readVerifiedSession(job.session, filter);
    if (!report.ok)
      throw new ReplayRefused(
        `${job.sourcePath} fails verify at seq ${report.firstBad?.seq}: ${report.firstBad?.problem} — replay refuses a tampered or damaged journal; pass --force to replay it anyway`,
      );
    return events;
  } finally {
    source.close();
  }
}

/** The same events from the fleet's journal: one bot's chain, in its seq order. */
async function readFleet(job: SessionJob, filter: EventFilter): Promise<StoredEvent[]> {
  const source = await openAsyncJournal(job.sourcePath, {
    readonly: true,
    ...(job.sourceBot === undefined ? {} : { bot: job.sourceBot }),
  });
  try {
    const events: StoredEvent[] = [];
    for await (const event of source.read(filter)) events.push(event);
    return events;
  } finally {
    await source.close();
  }
}
