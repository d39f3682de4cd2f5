/**
 * The pre-trade what-if (`risk.maxInitialMarginUsd`): before an entry, IB is asked what the order
 * would do to the account's margin (a what-if order: nothing is placed), and the entry is refused,
 * rule `initial-margin`, when the initial margin would grow by more than the limit — or when the
 * gateway cannot say (an error or no answer: an entry is never sent blind past a limit the user set).
 */
import type { Logger } from "pino";
import { contractKey, type OrderIntent } from "../events/index.js";
import type { RiskRefusal } from "../projections/index.js";
import type { LiveConfig } from "./config.js";
import type { GatewayClient, OrderRequest } from "./gateway.js";

/** The gateway's order for an intent, tagged with `orderRef` (the decision's id). */
export function orderRequest(
  intent: OrderIntent,
  orderRef: string,
  account: string,
): Omit<OrderRequest, "orderId"> {
  return {
    contract: intent.contract,
    side: intent.side,
    quantity: intent.quantity,
    orderType: intent.orderType,
    limitPriceUsd: intent.limitPriceUsd,
    tif: intent.tif,
    orderRef,
    account,
  };
}

/** Ask the gateway's what-if for `order`; the refusal, or null when the entry may go. */
export async function checkInitialMargin(
  gateway: GatewayClient,
  order: Omit<OrderRequest, "orderId">,
  config: LiveConfig,
  logger: Logger,
): Promise<RiskRefusal | null> {
  const limit = config.risk.maxInitialMarginUsd;
  if (limit === undefined) return null;
  // alpha: requests under 5 s timed out in snapshot mode; the config keeps requestTimeoutSeconds ≥ 5.
  const timeoutMs = Math.max(5000, config.requestTimeoutSeconds * 1000);
  const what = `${order.side} ${order.quantity} ${contractKey(order.contract)}`;
  try {
    const preview = await gateway.whatIf(order, timeoutMs);
    logger.info({ preview }, "what-if margin");
    const change = preview.initMarginChangeUsd;
    if (change === null)
      return {
        rule: "initial-margin",
        detail: `${what}: the gateway's what-if (order ${preview.orderId}) gave no initial margin change; entry refused under risk.maxInitialMarginUsd ${limit}`,
      };
    if (change <= limit) return null;
    return {
      rule: "initial-margin",
      detail: `${what} would raise the initial margin by ${change.toFixed(2)} USD (${preview.initMarginBeforeUsd?.toFixed(2)} → ${preview.initMarginAfterUsd?.toFixed(2)}, the gateway's what-if order ${preview.orderId}), over risk.maxInitialMarginUsd ${limit}; raise the limit or trade smaller`,
    };
  } catch (error) {
    return {
      rule: "initial-margin",
      detail: `${what}: the gateway's what-if failed (${(error as Error).message}); entries are refused under risk.maxInitialMarginUsd until it answers`,
    };
  }
}
