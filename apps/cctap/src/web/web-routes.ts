/**
 * The web page of `cctap up`, mounted on its loopback query endpoint (up/query-server.ts) and protected by
 * the same token:
 *
 *   GET /?token=T     checks T, sets it as an HttpOnly SameSite=Strict cookie for this port, redirects to /
 *   GET /             the page (with the cookie), else a 401 page saying to open the address `up` printed
 *   GET /assets/NAME  the page's scripts and styles (no data in them: no token needed)
 *   GET /api/NAME     JSON for the page: cookie or `authorization: Bearer T`, else 401
 *
 * Requests whose Host is not this loopback address are refused (a DNS-rebinding page must not reach it).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@cctap/kit';
import type { BudgetSpec } from '@cctap/reports';
import type { Store } from '@cctap/store';
import type { LiveSessions } from './live-sessions.js';
import { charts, overview, recentAlerts, recentSessions } from './page-data.js';
import { activityPanel, budgetsPanel } from './page-panels.js';
import { sessionTimeline } from './session-timeline.js';
import { WebAssets } from './web-assets.js';

export interface PageContext {
  store: Store;
  logger: Logger;
  /** The sessions running now; null where `up` tracks none. */
  live: LiveSessions | null;
  /** The budgets of the rules file `up` runs with, read when asked (the file is reloaded when it changes). */
  budgets: (() => Promise<readonly BudgetSpec[]>) | null;
}

/** Serves one request of the page; `token` is the endpoint's. */
export type PageHandler = (req: IncomingMessage, res: ServerResponse, token: string) => void;

/** The page's address with its token, as printed in the banner and written to up.json. */
export const pageUrl = (port: number, token: string): string => `http://127.0.0.1:${port}/?token=${token}`;

const cookieName = (port: number) => `cctap_page_${port}`;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

const UNAUTHORIZED_HTML = `<!doctype html><meta charset="utf-8"><title>cctap</title>
<p>This page needs its token. Open the address <code>cctap up</code> printed (the <code>page</code> line of its
banner, or <code>url</code> in <code>up.json</code> of its data directory).</p>`;

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const intParam = (u: URL, name: string, min: number, max: number, fallback: number) => {
  const v = Number(u.searchParams.get(name) ?? fallback);
  return Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : fallback;
};

export function createPageHandler(ctx: PageContext): PageHandler {
  const assets = new WebAssets();

  const api = async (name: string, u: URL): Promise<unknown> => {
    switch (name) {
      case 'overview':
        return overview(ctx.store);
      case 'charts':
        return charts(ctx.store, intParam(u, 'days', 1, 3660, 30));
      case 'live':
        return { tracked: ctx.live !== null, sessions: ctx.live?.list() ?? [] };
      case 'sessions':
        return recentSessions(ctx.store, intParam(u, 'hours', 1, 24 * 31, 24));
      case 'session': {
        const host = u.searchParams.get('host');
        const id = u.searchParams.get('id');
        if (!host || !id) throw new TypeError('session needs host and id');
        return sessionTimeline(ctx.store, host, id);
      }
      case 'alerts':
        return recentAlerts(ctx.store, intParam(u, 'days', 1, 3660, 30));
      case 'activity':
        return activityPanel(ctx.store);
      case 'budgets':
        return budgetsPanel(ctx.store, ctx.budgets);
      default:
        return undefined;
    }
  };

  return (req, res, token) => {
    const port = req.socket.localPort ?? 0;
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS })
        .end(JSON.stringify(body));
    const hostHeader = req.headers.host ?? '';
    if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) {
      json(403, { error: 'this endpoint answers on its loopback address only' });
      return;
    }
    const u = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method !== 'GET') {
      json(405, { error: 'GET only' });
      return;
    }
    const authorized =
      sameToken(cookieOf(req, cookieName(port)), token) ||
      sameToken((req.headers.authorization ?? '').replace(/^Bearer /, ''), token);

    if (u.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (u.pathname.startsWith('/assets/')) {
      const a = assets.asset(u.pathname.slice('/assets/'.length));
      if (!a) json(404, { error: 'no such asset' });
      else res.writeHead(200, { 'content-type': a.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end(a.body);
      return;
    }
    if (u.pathname === '/') {
      const given = u.searchParams.get('token');
      if (given !== null) {
        if (!sameToken(given, token)) {
          res
            .writeHead(401, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS })
            .end(UNAUTHORIZED_HTML);
          return;
        }
        // The token leaves the address bar (and the history) for a cookie only this port's pages send.
        res
          .writeHead(303, {
            location: '/',
            'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
            ...SECURITY_HEADERS,
          })
          .end();
        return;
      }
      if (!authorized) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS }).end(UNAUTHORIZED_HTML);
        return;
      }
      const page = assets.indexHtml();
      res
        .writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store', ...SECURITY_HEADERS })
        .end(page.body);
      return;
    }
    if (u.pathname.startsWith('/api/')) {
      if (!authorized) {
        json(401, { error: 'missing or wrong token: open the address cctap up printed' });
        return;
      }
      api(u.pathname.slice('/api/'.length), u).then(
        (body) => (body === undefined ? json(404, { error: 'no such data' }) : json(200, body)),
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          ctx.logger.debug('web page data failed', { err: e, path: u.pathname });
          json(e instanceof TypeError ? 400 : 500, { error: e.message });
        },
      );
      return;
    }
    json(404, { error: 'not found' });
  };
}
