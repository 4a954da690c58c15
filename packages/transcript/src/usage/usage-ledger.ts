/**
 * Token accounting per API response (DESIGN section 4, transcript-format.md section 7).
 *
 * The rule (which lines are one response, which of them counts: the largest token total, the earliest on a
 * tie; never a sum) is @cctap/events' response-rule, shared with the analyzer and the store.
 * Dedup is global across files: add() events from every file of the host (resume copies, subagent replays).
 * Only `assistant` events count; synthetic (`<synthetic>`) lines never do.
 *
 * Tokens only: the laptop carries no price book; cost is computed centrally from @cctap/prices.
 */
import { replacesKept, responseKey, responseTokenTotal, type CctapEvent } from '@cctap/events';
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

interface Entry {
  response: UsageResponse;
  tsMs: number;
}

export class UsageLedger {
  private readonly byKey = new Map<string, Entry>();

  add(e: CctapEvent): void {
    if (e.type !== 'assistant' || e.payload.synthetic) return;
    const key = responseKey(e);
    const p = e.payload;
    const total = responseTokenTotal(p.usage);
    const tsMs = Date.parse(e.ts);
    const prev = this.byKey.get(key);
    if (
      prev &&
      !replacesKept({ totalTokens: total, tsMs }, { totalTokens: prev.response.totalTokens, tsMs: prev.tsMs })
    )
      return;
    this.byKey.set(key, {
      tsMs,
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
