/**
 * LiveService: live mode day after day. A session is one New York date, so a bot left running
 * (as systemd runs it on the Pi) closes its session at the first cycle past midnight and the
 * service starts the next day's bot: connect, hours, warm-up and recovery as a start that morning
 * would, with a new strategy instance, so nothing of yesterday's state (bars, VWAP, entries
 * counted) reaches today's decisions and `replay --session` of either day matches what live did.
 */
import { acquireWriterLock } from "../events/index.js";
import { guardPort, tradingMode } from "./account-guard.js";
import { LiveBot, type LiveBotOptions } from "./bot.js";
import type { LiveSummary } from "./live-summary.js";

export class LiveService {
  private bot: LiveBot | null = null;
  private stops = 0;

  constructor(private readonly options: Omit<LiveBotOptions, "lock">) {}

  /** As LiveBot.stop: a first call closes the day's session after the step under way, a second at once. */
  stop(): void {
    this.stops += 1;
    this.bot?.stop();
  }

  /**
   * Run day after day until a stop, an error, or `cycles` (counted over all days); `day` hears
   * each day's summary as its session closes. A day no symbol trades ends a trial as LiveBot's run
   * does (MarketClosedToday), and an unattended run waits for the next session.
   */
  async run(day: (summary: LiveSummary) => void): Promise<void> {
    const { config, journalPath } = this.options;
    const mode = tradingMode(config.dryRun, config.liveAccount);
    // Refused before the lock is even taken, as LiveBot refuses it: paper never meets a live port.
    guardPort(mode, config.gateway.port);
    // Held over every day: the hand-over at midnight must not let a second writer in.
    const lock = acquireWriterLock(journalPath, `journal live (${mode})`, new Date().toISOString());
    try {
      let left = this.options.cycles;
      if (this.stops > 0) return;
      for (;;) {
        this.bot = new LiveBot({ ...this.options, lock, ...(left === undefined ? {} : { cycles: left }) });
        const summary = await this.bot.run();
        day(summary);
        if (!summary.dayEnded || this.stops > 0) return;
        if (left !== undefined) {
          left -= summary.cycles;
          if (left <= 0) return;
        }
      }
    } finally {
      lock.release();
    }
  }
}
