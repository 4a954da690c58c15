/** The real fixtures normalized into validated-shape batches, as the validator would pass them to the sink. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SCHEMA_VERSION, type Batch } from '@cctap/events';
import { priceResponse, type PriceBook } from '@cctap/prices';
import { TranscriptStream } from '@cctap/transcript';
import { realFixtureFiles } from '../../support/paths.js';

const HOST = 'fixture-host';

/** One batch per `maxEvents` events of each file (contiguous byte ranges), in file order. */
export function fixtureBatches(maxEvents = 200): Batch[] {
  const out: Batch[] = [];
  for (const [i, path] of realFixtureFiles().entries()) {
    const fileId = `fixture${String(i).padStart(9, '0')}`;
    const stream = new TranscriptStream({
      host: HOST,
      user: 'alice',
      path,
      fileId,
      privacy: 'redacted',
      startOffset: 0,
      lastTs: null,
      fileTs: '2026-01-01T00:00:00.000Z',
    });
    const lines = stream.push(readFileSync(path));
    let cur: Batch | null = null;
    for (const line of lines) {
      if (!cur || cur.events.length >= maxEvents) {
        if (cur) out.push(cur);
        cur = {
          v: SCHEMA_VERSION,
          host: HOST,
          source: { path: `/fixtures/${basename(path)}`, fileId, from: line.offset, to: line.end },
          events: [],
        };
      }
      cur.events.push(...line.events);
      cur.source.to = line.end;
    }
    if (cur) out.push(cur);
  }
  return out;
}

export interface ExpectedDayModel {
  date: string;
  model: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  /** USD by the book's TypeScript pricing of each counted response; null when the model has no price. */
  cost: number | null;
}

/**
 * The max rule computed straight from the JSON lines, independently of the normalizer and of ClickHouse:
 * assistant lines with a message id and a non-synthetic model; key (message.id, requestId), or
 * (message.id, sessionId) without a request id; the line with the largest token total wins (earliest on a
 * tie); a sidechain response whose message id also has a main-chain response is a replay and not counted.
 */
interface RawLine {
  type?: string;
  timestamp: string;
  isSidechain?: boolean;
  requestId?: string;
  sessionId?: string;
  message?: {
    id?: string;
    model: string;
    usage?: {
      input_tokens?: number;
      output_tokens?: number;
      cache_creation_input_tokens?: number;
      cache_read_input_tokens?: number;
      cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
      server_tool_use?: { web_search_requests?: number };
      speed?: string;
      inference_geo?: string;
    };
  };
}

export function expectedDailyByModel(
  book: PriceBook,
  files: readonly string[] = realFixtureFiles(),
): ExpectedDayModel[] {
  interface Pick {
    ts: string;
    model: string;
    sidechain: boolean;
    msg: string;
    u: { i: number; o: number; cc: number; cr: number };
    usd: number | null;
  }
  const best = new Map<string, Pick>();
  for (const path of files) {
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      let line: RawLine;
      try {
        line = JSON.parse(text) as RawLine;
      } catch {
        continue;
      }
      const msg = line.message;
      if (line.type !== 'assistant' || !msg?.id || !msg.usage) continue;
      if (msg.model === '<synthetic>') continue;
      const u = msg.usage;
      const pick: Pick = {
        ts: line.timestamp,
        model: msg.model,
        sidechain: line.isSidechain === true,
        msg: msg.id,
        u: {
          i: u.input_tokens ?? 0,
          o: u.output_tokens ?? 0,
          cc: u.cache_creation_input_tokens ?? 0,
          cr: u.cache_read_input_tokens ?? 0,
        },
        usd: priceResponse(book, {
          model: msg.model,
          ts: line.timestamp,
          usage: {
            input: u.input_tokens ?? 0,
            output: u.output_tokens ?? 0,
            cacheCreation: u.cache_creation_input_tokens ?? 0,
            cacheRead: u.cache_read_input_tokens ?? 0,
            cacheCreation5m: u.cache_creation?.ephemeral_5m_input_tokens ?? 0,
            cacheCreation1h: u.cache_creation?.ephemeral_1h_input_tokens ?? 0,
            webSearchRequests: u.server_tool_use?.web_search_requests ?? 0,
            webFetchRequests: 0,
          },
          speed: u.speed ?? null,
          inferenceGeo: u.inference_geo ?? null,
        }).usd,
      };
      const key = line.requestId ? `${msg.id}|${line.requestId}` : `${msg.id}||${line.sessionId}`;
      const total = (p: Pick) => p.u.i + p.u.o + p.u.cc + p.u.cr;
      const prev = best.get(key);
      if (!prev || total(pick) > total(prev) || (total(pick) === total(prev) && pick.ts < prev.ts)) best.set(key, pick);
    }
  }
  const mainIds = new Set([...best.values()].filter((p) => !p.sidechain).map((p) => p.msg));
  const sums = new Map<string, ExpectedDayModel>();
  for (const p of best.values()) {
    if (p.sidechain && mainIds.has(p.msg)) continue;
    const date = new Date(p.ts).toISOString().slice(0, 10);
    const k = `${date}|${p.model}`;
    const s = sums.get(k) ?? { date, model: p.model, input: 0, output: 0, cacheCreation: 0, cacheRead: 0, cost: null };
    s.input += p.u.i;
    s.output += p.u.o;
    s.cacheCreation += p.u.cc;
    s.cacheRead += p.u.cr;
    if (p.usd !== null) s.cost = (s.cost ?? 0) + p.usd;
    sums.set(k, s);
  }
  return [...sums.values()].sort((a, b) => (a.date + a.model).localeCompare(b.date + b.model));
}
