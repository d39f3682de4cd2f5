/**
 * A local HTTP server standing in for webhooks (ntfy, Slack, Discord, Telegram, a generic JSON
 * endpoint): it records every request and answers by path — a path containing `/fail` answers
 * 500, one containing `/hang` never answers (its socket is held open until `close`), any other
 * answers 200 (Telegram's `{ "ok": true }`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, unknown>;
}

export async function startWebhookServer() {
  const received: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsed: text };
      }
      const path = req.url ?? "/";
      received.push({ method: req.method ?? "", path, headers: req.headers, body });
      if (path.includes("/hang")) {
        hanging.push(res);
        return;
      }
      if (path.includes("/fail")) {
        res.writeHead(500, { "content-type": "text/plain" }).end("internal error, try later");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    received,
    /** The requests whose path starts with `prefix`. */
    at: (prefix: string) => received.filter((r) => r.path.startsWith(prefix)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
