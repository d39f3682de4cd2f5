/**
 * One session's replay as a self-contained job: what a worker thread (or the main thread) runs.
 */
import { openJournal } from "../events/index.js";
import { type OutcomeMode, replaySession, type SessionReplay } from "./engine.js";
import { fillModelByName } from "./fill-model.js";
import { loadStrategy } from "./strategy-loader.js";

export interface SessionJob {
  sourcePath: string;
  sourceStream: string;
  session: string;
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
  const source = openJournal(job.sourcePath, { readonly: true });
  try {
    const filter = {
      stream: job.sourceStream,
      session: job.session,
      ...(job.fromTs === undefined ? {} : { fromTs: job.fromTs }),
      ...(job.toTs === undefined ? {} : { toTs: job.toTs }),
    };
    const events = [...source.read(filter)];
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
      sourceJournal: job.sourcePath,
      sourceStream: job.sourceStream,
      events,
      strategy,
      paramOverrides: job.paramOverrides,
      fillModel,
      codeVersion: job.codeVersion,
      outcomes: job.outcomes ?? "auto",
    });
  } finally {
    source.close();
  }
}
