/** The HTML session report (arquero tables, Vega-Lite charts rendered to inline SVG). */

export { findBaselineRun } from "./baseline-run.js";
export { buildCalendar, type Calendar, type CalendarDay, renderCalendar } from "./calendar.js";
export { esc, nyStamp, nyTime } from "./render-kit.js";
export {
  REPORT_RESPONSIVE_CSS,
  type ReportOptions,
  type ReportSource,
  renderSessionReport,
} from "./session-report.js";
