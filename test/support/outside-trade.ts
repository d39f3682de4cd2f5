/**
 * A trade the bot did not make: another API client on the same account (the unmodified
 * @stoqey/ib over TCP) sends a market order and waits for its fill.
 */
import { EventName, IBApi, type Contract as IbContract, OrderAction, OrderType } from "@stoqey/ib";

/** `side` `quantity` of `contract` from client id `clientId`; resolves once it is Filled. */
export async function tradeOutsideTheBot(
  port: number,
  contract: IbContract,
  side: "BUY" | "SELL",
  quantity: number,
  clientId: number,
): Promise<void> {
  const ib = new IBApi({ host: "127.0.0.1", port });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no fill for the outside order")), 10_000);
      ib.once(EventName.nextValidId, (orderId: number) => {
        ib.on(EventName.orderStatus, (id, status) => {
          if (id === orderId && status === "Filled") {
            clearTimeout(timer);
            resolve();
          }
        });
        ib.placeOrder(orderId, contract, {
          action: side === "BUY" ? OrderAction.BUY : OrderAction.SELL,
          orderType: OrderType.MKT,
          totalQuantity: quantity,
          transmit: true,
        });
      });
      ib.connect(clientId);
    });
  } finally {
    ib.disconnect();
  }
}
