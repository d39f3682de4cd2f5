/**
 * `journal serve`'s HTTP server, on node:http: a handful of GET routes, server-sent events and no
 * body parsing need nothing a framework adds, and every dependency is one more thing to keep
 * patched on a Pi that faces a network. Read-only by construction: only GET and HEAD are routed
 * (anything else is 405), and the journal it is handed was opened read-only.
 */
import { statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Journal } from "../events/index.js";
import { renderSessionReport } from "../report/index.js";
import { RateLimit, secureHeaders, TokenGate } from "./access.js";
import { JournalView } from "./journal-view.js";
import { NOW_SCRIPT, renderNow } from "./now-page.js";
import { APP_CSS } from "./page-kit.js";
import { messagePage, nowPage, type SqlOutcome, sessionsPage, sqlPage, tradesPage } from "./pages.js";

export interface ServeOptions {
  /** A journal opened read-only. */
  journal: Journal;
  /** Its file, whose (and whose -wal's) modification time says when the bot last wrote. */
  journalPath: string;
  host: string;
  port: number;
  /** Required of every request when set. */
  token?: string;
  /** One read-only statement with a time limit (the cli's `journal sql` child process). */
  runSql: (query: string) => Promise<SqlOutcome>;
  sqlTimeoutSeconds: number;
  /** The wall clock (the page's freshness, the rate limit): the shell's, injected. */
  clock: () => number;
  /** How often the journal's end is looked at for the now page's pushes. */
  pollMs?: number;
  /** Failures worth a line (a poll that threw). */
  log?: (line: string) => void;
}

export interface JournalServer {
  url: string;
  close(): Promise<void>;
}

/** Server-sent event streams at once: a few phones and a laptop, not a crowd on a Pi. */
const MAX_STREAMS = 16;
const HEARTBEAT_MS = 15_000;

/** Start listening; resolves once the port is bound. */
export async function startJournalServer(options: ServeOptions): Promise<JournalServer> {
  const view = new JournalView(options.journal);
  const gate = new TokenGate(options.token);
  const limit = new RateLimit();
  const streams = new Set<ServerResponse>();
  const reports = new Map<string, { events: number; html: string }>();
  let rendering: Promise<unknown> = Promise.resolve();
  let sqlBusy = false;
  const log = options.log ?? (() => {});

  const lastWriteMs = () => {
    let latest = 0;
    for (const file of [options.journalPath, `${options.journalPath}-wal`]) {
      try {
        latest = Math.max(latest, statSync(file).mtimeMs);
      } catch {
        // No -wal (a journal not in WAL mode, or checkpointed and removed): the main file says it.
      }
    }
    return Math.round(latest);
  };
  const nowFragment = () => renderNow(view.liveSession(), lastWriteMs(), options.clock());

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, {
      "Content-Type": `${type}; charset=utf-8`,
      "Content-Length": Buffer.byteLength(body),
    });
    res.end(res.req.method === "HEAD" ? undefined : body);
  };
  const html = (res: ServerResponse, status: number, body: string) => send(res, status, "text/html", body);

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === "/") return html(res, 200, nowPage(nowFragment()));
    if (path === "/app.css") return send(res, 200, "text/css", APP_CSS);
    if (path === "/now.js") return send(res, 200, "text/javascript", NOW_SCRIPT);
    if (path === "/events") return openStream(req, res);
    if (path === "/sessions") return html(res, 200, sessionsPage(view.sessions()));
    if (path === "/trades") return html(res, 200, tradesPage(view.sessions()));
    if (path === "/sql") return sql(res, url.searchParams.get("q") ?? "");
    const session = /^\/session\/(\d{4}-\d{2}-\d{2})$/.exec(path)?.[1];
    if (session) return report(res, session);
    return html(
      res,
      404,
      messagePage("Not found", `Nothing at ${path}. The pages: now, sessions, trades, SQL.`),
    );
  }

  async function sql(res: ServerResponse, query: string): Promise<void> {
    if (query.trim() === "")
      return html(
        res,
        200,
        sqlPage(
          "SELECT * FROM v_cycles ORDER BY start_seq DESC LIMIT 20",
          undefined,
          options.sqlTimeoutSeconds,
        ),
      );
    // One statement at a time: the Pi's other core belongs to the bot.
    if (sqlBusy)
      return html(
        res,
        503,
        sqlPage(
          query,
          { kind: "busy", message: "Another query is running; try again when it is done." },
          options.sqlTimeoutSeconds,
        ),
      );
    sqlBusy = true;
    try {
      const outcome = await options.runSql(query);
      const status =
        outcome.kind === "rows" ? 200 : outcome.kind === "refused" || outcome.kind === "failed" ? 400 : 503;
      html(res, status, sqlPage(query, outcome, options.sqlTimeoutSeconds));
    } finally {
      sqlBusy = false;
    }
  }

  async function report(res: ServerResponse, session: string): Promise<void> {
    const row = options.journal.sessions("live").find((s) => s.session === session);
    if (!row)
      return html(res, 404, messagePage("No such session", `The journal holds no live session ${session}.`));
    const cached = reports.get(session);
    if (cached?.events !== row.events) {
      // One report at a time (Vega renders on this thread); a session that grew is rendered again.
      const next = rendering.then(() =>
        renderSessionReport({ session, live: { journal: options.journal, stream: "live", label: "live" } }),
      );
      rendering = next.catch(() => {});
      reports.set(session, { events: row.events, html: await next });
    }
    const back = `<p><a href="/sessions">← sessions</a></p>`;
    html(res, 200, reports.get(session)!.html.replace("<body>", `<body>${back}`));
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    if (streams.size >= MAX_STREAMS) {
      html(res, 503, messagePage("Busy", "Too many pages are open; close one."));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", Connection: "keep-alive" });
    res.write("retry: 3000\n\n");
    streams.add(res);
    push(res, nowFragment());
    req.on("close", () => streams.delete(res));
  }
  const push = (res: ServerResponse, fragment: string) =>
    res.write(`event: now\ndata: ${JSON.stringify({ html: fragment })}\n\n`);

  // One look at the journal's end per poll for all pages, and only while a page listens.
  let seen = -1;
  let pushedAt = 0;
  const poll = setInterval(() => {
    if (streams.size === 0) return;
    try {
      const seq = view.lastSeq();
      // Unchanged, a push a minute still lets the page turn "stale" when the bot went quiet.
      if (seq === seen && options.clock() - pushedAt < 60_000) return;
      seen = seq;
      pushedAt = options.clock();
      const fragment = nowFragment();
      for (const res of streams) push(res, fragment);
    } catch (error) {
      log(`journal serve: could not read the journal (${(error as Error).message}); trying again`);
    }
  }, options.pollMs ?? 1000);
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(": still here\n\n");
  }, HEARTBEAT_MS);

  const server: Server = createServer((req, res) => {
    secureHeaders(res);
    const url = new URL(req.url ?? "/", "http://journal.invalid");
    const wait = limit.take(req.socket.remoteAddress ?? "?", options.clock());
    if (wait > 0) {
      res.setHeader("Retry-After", String(wait));
      return html(res, 429, messagePage("Too many requests", `Slow down: try again in ${wait} s.`));
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return html(
        res,
        405,
        messagePage("Read-only", "This server only reads the journal: GET and HEAD, nothing else."),
      );
    }
    if (!gate.allows(req, url.searchParams)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="journal"');
      return html(
        res,
        401,
        messagePage(
          "Token needed",
          "Open this page with ?token=… (the token file's first line), or send Authorization: Bearer ….",
        ),
      );
    }
    const cookie = gate.cookieFor(url.searchParams);
    if (cookie) {
      // Keep the token out of the address bar and the history: a cookie carries it from here on.
      url.searchParams.delete("token");
      res.setHeader("Set-Cookie", cookie);
      res.setHeader("Location", `${url.pathname}${url.search}`);
      return send(res, 303, "text/plain", "");
    }
    route(req, res, url).catch((error: Error) => {
      log(`journal serve: ${req.url}: ${error.message}`);
      if (!res.headersSent) html(res, 500, messagePage("Failed", error.message));
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(poll);
        clearInterval(heartbeat);
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
