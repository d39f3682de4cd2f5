/** The strategy contract, the shared runner, and the shipped strategies. */
export * from "./contract.js";
export { StrategyRunner, isMarketEvent, symbolOf } from "./runner.js";
