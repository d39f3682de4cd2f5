/** Playback: serving a captured session's frames back to a client, and reading captured frames. */
export {
  type CapturedFrame,
  type PlaybackOptions,
  type PlaybackServer,
  startPlayback,
} from "./playback.js";
export { describeFrame, frameFields } from "./wire-index.js";
