/**
 * The fleet: the PostgreSQL journal that bots ship their chains to, shipping, and opening a journal
 * by location. `pg-journal.ts` (and with it `pg` and kysely) is loaded only when a `postgres://`
 * location is opened, never by this door.
 */
export { type OpenAsyncJournalOptions, openAsyncJournal, openShipTarget } from "./open-async-journal.js";
export { ChainBroken, type ChainRow } from "./pg-chain.js";
export { type ShipOptions, type ShipResult, type ShipTarget, shipJournal } from "./ship.js";
