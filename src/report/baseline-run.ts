/**
 * A what-if run's baseline in a replay journal: the run of live's own strategy and parameters
 * through the same fill model, the same code and the same source (`replay` writes it beside every
 * what-if). The report draws it between live and the what-if, so the change's effect reads as the
 * gap between the what-if's curve and the baseline's, not live's.
 */
import { canonicalJson, type Journal, type PayloadOf } from "../events/index.js";

type Started = PayloadOf<"ReplayStarted">;

function startedOf(journal: Journal, stream: string, session: string): Started | null {
  for (const e of journal.read({ stream, session, types: ["ReplayStarted"] }))
    if (e.type === "ReplayStarted") return e.payload;
  return null;
}

/**
 * True when the run is live's strategy with every parameter live journaled (defaults may be added).
 * By name, not version: the baseline runs today's code of live's strategy, as the what-if does.
 */
function isLives(run: Started, opened: PayloadOf<"SessionOpened">): boolean {
  return (
    run.outcomes === "simulated" &&
    run.strategy.name === opened.strategy.name &&
    Object.entries(opened.params).every(([k, v]) => canonicalJson(run.params[k]) === canonicalJson(v))
  );
}

/**
 * The baseline run of `run` (a what-if of `session`), or null: none written, the run is not a
 * simulated what-if, or it is itself live's strategy (its own baseline).
 */
export function findBaselineRun(
  replayJournal: Journal,
  liveJournal: Journal,
  liveStream: string,
  session: string,
  run: string,
): string | null {
  const whatIf = startedOf(replayJournal, run, session);
  let opened: PayloadOf<"SessionOpened"> | null = null;
  for (const e of liveJournal.read({ stream: liveStream, session, types: ["SessionOpened"] }))
    if (e.type === "SessionOpened") opened = e.payload;
  if (!whatIf || !opened || whatIf.outcomes !== "simulated" || isLives(whatIf, opened)) return null;
  let found: string | null = null;
  for (const s of replayJournal.sessions()) {
    if (s.session !== session || !s.stream.startsWith("replay-") || s.stream === run) continue;
    const other = startedOf(replayJournal, s.stream, session);
    if (
      other &&
      isLives(other, opened) &&
      other.codeVersion === whatIf.codeVersion &&
      other.sourceStream === whatIf.sourceStream &&
      canonicalJson(other.fillModel) === canonicalJson(whatIf.fillModel)
    )
      found = s.stream;
  }
  return found;
}
