/** A config value past a hard limit, or contradicting another; the message says what to change. */
export class ConfigRefused extends Error {
  readonly code = "CONFIG_REFUSED";
  constructor(message: string) {
    super(message);
    this.name = "ConfigRefused";
  }
}
