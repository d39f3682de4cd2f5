/** The event catalogue and the journal: the only public door of src/events. */
export * from "./catalogue.js";
export * from "./envelope.js";
export * from "./clock.js";
export * from "./errors.js";
export * from "./journal-api.js";
export * from "./trading-session.js";
