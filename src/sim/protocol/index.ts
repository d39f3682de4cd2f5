/**
 * The TWS protocol: socket framing, wire layouts as data (requests, server messages, the order
 * messages) and the text formats a real gateway writes.
 */
export {
  accountTime,
  connectionTime,
  executionTime,
  ibTime,
  isKnownTimeZone,
  javaDouble,
  occLocalSymbol,
  sessionHours,
  UNSET_DOUBLE,
  UNSET_INT,
} from "./formats.js";
export { decodeFields, encodeFields, encodeText, type MessageLayout, type Values } from "./layout.js";
export * as requests from "./protocol-in.js";
export { PLACE_ORDER, REQUESTS } from "./protocol-in.js";
export * as orderMessages from "./protocol-orders.js";
export { COMPLETED_ORDER, OPEN_ORDER } from "./protocol-orders.js";
export * as messages from "./protocol-out.js";
export * from "./protocol-out.js";
export * as referenceMessages from "./protocol-reference.js";
export * from "./protocol-reference.js";
export { encodeMessage, FrameReader, listenOn } from "./wire.js";
