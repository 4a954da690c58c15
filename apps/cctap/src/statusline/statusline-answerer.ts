/**
 * What a running `cctap up` does for one `cctap statusline` call: records the input's quota readings
 * (quota-recorder.ts) and answers the figures (figures.ts).
 *
 * The figures take three report queries over the store (100-400 ms on a busy machine), while Claude Code
 * refreshes the line every few hundred milliseconds and the figures only move when a response is stored.
 * So they are kept per (session, zone): younger than `freshMs` they are answered as they are; older (up to
 * `staleMs`) they are answered at once and recomputed in the background for the next call; older still, or
 * never computed, the call waits for them. A line is thus at most one refresh behind the store, and
 * concurrent calls share one computation.
 */
import type { StatuslineFigures, StatuslineQuery } from './figures.js';
import type { QuotaRecorder } from './quota-recorder.js';
import type { QuotaReport } from './quota-report.js';

/** What `up` answers a `statusline` request: the figures, and how many of the readings it recorded. */
export interface StatuslineAnswer {
  figures: StatuslineFigures;
  quotaRecorded: number;
}

export interface StatuslineAnswerer {
  answer(req: { query: StatuslineQuery; quota?: QuotaReport | undefined }): Promise<StatuslineAnswer>;
}

export interface StatuslineAnswererOptions {
  quota: QuotaRecorder;
  /** The figures of one query (statuslineFigures on the store). */
  compute: (q: StatuslineQuery) => Promise<StatuslineFigures>;
  freshMs?: number;
  staleMs?: number;
  now?: () => number;
}

/** Sessions (x zones) whose figures are kept at most. */
const MAX_KEPT = 256;

interface Kept {
  at: number;
  figures: StatuslineFigures | null;
  pending: Promise<StatuslineFigures> | null;
}

export function createStatuslineAnswerer(o: StatuslineAnswererOptions): StatuslineAnswerer {
  const freshMs = o.freshMs ?? 2000;
  const staleMs = o.staleMs ?? 60_000;
  const now = o.now ?? Date.now;
  const kept = new Map<string, Kept>();

  const refresh = (key: string, q: StatuslineQuery, entry: Kept): Promise<StatuslineFigures> => {
    entry.pending ??= o.compute(q).then(
      (figures) => {
        entry.at = now();
        entry.figures = figures;
        entry.pending = null;
        return figures;
      },
      (err: unknown) => {
        entry.pending = null;
        if (entry.figures === null) kept.delete(key);
        throw err;
      },
    );
    return entry.pending;
  };

  return {
    async answer(req) {
      const q = req.query;
      if (typeof q?.sessionId !== 'string' || typeof q.tz !== 'string')
        throw new TypeError('statusline: sessionId and tz must be strings');
      // Recorded first: the readings are kept even when the store cannot answer the figures.
      const quotaRecorded = req.quota ? o.quota.record(req.quota) : 0;
      const key = `${q.sessionId}\u001f${q.tz}`;
      let entry = kept.get(key);
      if (!entry) {
        entry = { at: 0, figures: null, pending: null };
        kept.set(key, entry);
        if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
      }
      const age = now() - entry.at;
      let figures: StatuslineFigures;
      if (entry.figures && age < freshMs) figures = entry.figures;
      else if (entry.figures && age < staleMs) {
        figures = entry.figures;
        refresh(key, q, entry).catch(() => undefined); // the next call waits for it, or sees why
      } else figures = await refresh(key, q, entry);
      return { figures, quotaRecorded };
    },
  };
}
