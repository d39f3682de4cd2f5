/** Wire frames: the captured TWS socket frames, kept beside the events with their own hash chain. */
export * from "./wire-store.js";
