/** Replay's refusal (its own module so the session job can raise it without an import circle). */
import { JournalError } from "../events/index.js";

/** A source that failed verify, an unknown session, …: the message says what to do. */
export class ReplayRefused extends JournalError {
  constructor(message: string) {
    super("REPLAY_REFUSED", message);
  }
}
