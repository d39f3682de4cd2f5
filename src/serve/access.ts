/**
 * Who may read the page and how often: the token (beyond loopback it is required), a rate limit
 * per client address, and the headers every answer carries (a content security policy that lets
 * the page fetch nothing from anywhere else).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Nothing from elsewhere: scripts and styles from this server only (styles inline too: the report's SVG carries them). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every answer. */
export function secureHeaders(res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cache-Control", "no-store");
}

const COOKIE = "journal_token";
const digest = (s: string) => createHash("sha256").update(s).digest();

/** The token check: a bearer header, the cookie a first visit with `?token=` set, or that query. */
export class TokenGate {
  private readonly expected: Buffer | undefined;
  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  get required(): boolean {
    return this.expected !== undefined;
  }

  /** True when the request carries the token (or none is required). */
  allows(req: IncomingMessage, query: URLSearchParams): boolean {
    if (!this.expected) return true;
    const offered = [
      /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1],
      cookie(req, COOKIE),
      query.get("token") ?? undefined,
    ];
    return offered.some((t) => t !== undefined && timingSafeEqual(digest(t), this.expected!));
  }

  /** The cookie that keeps a browser in after `?token=` (HttpOnly: no script reads it). */
  cookieFor(query: URLSearchParams): string | undefined {
    const token = query.get("token");
    return token === null
      ? undefined
      : `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000`;
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) {
      try {
        return decodeURIComponent(v.join("="));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * A token bucket per client address: `burst` requests at once, refilled at `perSecond`. A phone
 * loading a page costs three (the page, its stylesheet, its script); a loop hammering the Pi
 * gets 429 and never reaches SQLite.
 */
export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst = 60,
    private readonly perSecond = 2,
  ) {}

  /** 0 when allowed, else the seconds to wait. */
  take(address: string, nowMs: number): number {
    const b = this.buckets.get(address) ?? { tokens: this.burst, at: nowMs };
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond);
    b.at = nowMs;
    this.buckets.set(address, b);
    if (this.buckets.size > 10_000) this.forgetFull(nowMs);
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) / this.perSecond);
    b.tokens -= 1;
    return 0;
  }

  /** Addresses whose buckets have refilled carry no state worth keeping. */
  private forgetFull(nowMs: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((nowMs - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
  }
}
