/** The seeded market: the NYSE calendar, Black–Scholes, and the market itself (paths, bars, quotes, chains, option history). */
export { blackScholes } from "./black-scholes.js";
export {
  addDays,
  isEarlyClose,
  isTradingDay,
  lastTradingDay,
  regularHours,
  tradingDaysFrom,
} from "./calendar.js";
export { type BarStep, dayMinuteBars, type HistoryBar, historyBars, type WhatToShow } from "./history.js";
export { mulberry32, RISK_FREE_RATE, SimMarket, type SimOption, type SimQuote, SYMBOLS } from "./market.js";
export { optionDayTrades, optionHistoryBars, optionListingDay } from "./option-history.js";
