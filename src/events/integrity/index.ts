/**
 * Integrity: the hash chain every store and the wire frames link their rows with, and the checks of
 * a SQLite journal (whole chain, since the last verified point, one session) that the store runs.
 */
export {
  columnsHash,
  type EventColumns,
  type EventRow,
  GENESIS_HASH,
  type HashedRow,
  hashedColumns,
  rowHash,
} from "./hash-chain.js";
export {
  readVerifiedPoint,
  recordVerifiedPoint,
  type VerifiedPoint,
  verifyAll,
  verifyNew,
} from "./verify.js";
export { streamCheckedSession, trustedUpTo, verifySessions } from "./verify-session.js";
