/**
 * Token accounting per API response (DESIGN section 4, transcript-format.md section 7).
 *
 * Claude Code writes one line per content block of a response, each repeating a usage object that may be a
 * placeholder. Rule: per response keep the ONE line with the largest token total
 * (input + output + cacheCreation + cacheRead); never sum lines.
 *   key = (messageId, requestId)                      when both are known
 *       = (sessionId, messageId)                      when requestId is missing (scoped: gateways reuse ids)
 *       = the line uuid (else the event id)           when the line has no message id
 * Dedup is global across files: add() events from every file of the host (resume copies, subagent replays).
 * Only `assistant` events count; synthetic (`<synthetic>`) lines never do. On a tie the line carrying a
 * `speed` wins (as in ccusage v19+), else the first one seen stays.
 *
 * Tokens only: the laptop carries no price book; cost is computed centrally from @cctap/prices.
 */
import type { CctapEvent, EventOf } from '@cctap/events';
import type { TokenUsage } from './token-usage.js';

export interface UsageResponse {
  key: string;
  messageId: string | null;
  requestId: string | null;
  model: string;
  sessionId: string;
  agentId: string | null;
  sidechain: boolean;
  /** Time and event id of the chosen line. */
  ts: string;
  eventId: string;
  usage: TokenUsage;
  totalTokens: number;
}

export interface UsageTotals {
  responses: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cacheCreation5m: number;
  cacheCreation1h: number;
  webSearchRequests: number;
  webFetchRequests: number;
}

export function tokenTotal(u: TokenUsage): number {
  return u.input + u.output + u.cacheCreation + u.cacheRead;
}

function keyOf(e: EventOf<'assistant'>): string {
  const { messageId, requestId } = e.payload;
  if (messageId !== null && requestId !== null) return `r\u001f${messageId}\u001f${requestId}`;
  if (messageId !== null) return `s\u001f${e.sessionId}\u001f${messageId}`;
  return `l\u001f${e.lineUuid ?? e.id}`;
}

interface Entry {
  response: UsageResponse;
  hasSpeed: boolean;
}

export class UsageLedger {
  private readonly byKey = new Map<string, Entry>();

  add(e: CctapEvent): void {
    if (e.type !== 'assistant' || e.payload.synthetic) return;
    const key = keyOf(e);
    const p = e.payload;
    const total = tokenTotal(p.usage);
    const prev = this.byKey.get(key);
    if (prev) {
      const prevTotal = prev.response.totalTokens;
      const wins = total > prevTotal || (total === prevTotal && p.speed !== null && !prev.hasSpeed);
      if (!wins) return;
    }
    this.byKey.set(key, {
      hasSpeed: p.speed !== null,
      response: {
        key,
        messageId: p.messageId,
        requestId: p.requestId,
        model: p.model,
        sessionId: e.sessionId,
        agentId: e.agentId,
        sidechain: e.sidechain,
        ts: e.ts,
        eventId: e.id,
        usage: p.usage,
        totalTokens: total,
      },
    });
  }

  responses(): UsageResponse[] {
    return [...this.byKey.values()].map((entry) => entry.response);
  }

  totals(): UsageTotals {
    const t: UsageTotals = {
      responses: 0,
      input: 0,
      output: 0,
      cacheCreation: 0,
      cacheRead: 0,
      cacheCreation5m: 0,
      cacheCreation1h: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
    };
    for (const { response: r } of this.byKey.values()) {
      t.responses += 1;
      t.input += r.usage.input;
      t.output += r.usage.output;
      t.cacheCreation += r.usage.cacheCreation;
      t.cacheRead += r.usage.cacheRead;
      t.cacheCreation5m += r.usage.cacheCreation5m;
      t.cacheCreation1h += r.usage.cacheCreation1h;
      t.webSearchRequests += r.usage.webSearchRequests;
      t.webFetchRequests += r.usage.webFetchRequests;
    }
    return t;
  }
}
