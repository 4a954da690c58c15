/**
 * The rule engine's state in the alerts KV bucket, so the replica that takes the alerter lease over continues
 * the windows and absence timers where the previous holder left them (and knows which conditions it already
 * fired). Written after every message, before it is acked, and after every tick; by compare-and-swap under the
 * writer's fence (cas-kv.ts).
 *
 *   w_<hash>        a threshold group: labels, firing, evidence, and the numbers of its window segments
 *   w_<hash>.<n>    segment n of its window: up to SEGMENT_ENTRIES entries, appended as they arrive or grow
 *   g_<hash>        an absence group: labels, last seen, firing, evidence
 *
 * A window is kept in segments so that a message rewrites only the last one (a day of a busy user's responses
 * is thousands of entries): a full segment is sealed, written once, and deleted when all its entries have left
 * the window. An entry that grows later is appended again; reading the segments back applies the engine's own
 * merge (largest value, earliest time).
 */
import type { KV } from '@nats-io/kv';
import type {
  AbsenceGroupState,
  EngineChanges,
  StoredWindowEntry,
  ThresholdGroupState,
} from '../engine/rule-engine.js';
import type { Evidence } from '../engine/signal.js';
import { CasKv, hashedKey, UNFENCED, type WriteFence } from './cas-kv.js';

/** Entries per window segment: about 15 KB written per message at most, whatever the window holds. */
export const SEGMENT_ENTRIES = 256;

interface EngineState {
  thresholds: ThresholdGroupState[];
  absences: AbsenceGroupState[];
}

/** Where the engine's state lives: nowhere (`cctap up`, one process) or the alerts bucket. */
export interface EngineStateStore {
  load(): Promise<EngineState>;
  save(changes: EngineChanges): Promise<void>;
}

interface ThresholdHead {
  key: string;
  labels: Record<string, string>;
  firing: boolean;
  evidence: Evidence;
  segments: number[];
}
interface Segment {
  entries: StoredWindowEntry[];
}

/** What this writer knows of a stored window: the segment it appends to, and the sealed ones' newest entry. */
interface Window {
  tailNo: number;
  tail: Map<string, StoredWindowEntry>;
  sealed: Map<number, number>;
}

const headKey = (key: string) => hashedKey('w_', key);
const segmentKey = (key: string, n: number) => `${headKey(key)}.${n}`;
const absenceKey = (key: string) => hashedKey('g_', key);
const maxTs = (entries: Iterable<StoredWindowEntry>) => {
  let m = -Infinity;
  for (const e of entries) if (e[1] > m) m = e[1];
  return m;
};

export class KvEngineStateStore implements EngineStateStore {
  readonly #cas: CasKv;
  readonly #windows = new Map<string, Window>();
  readonly #absences = new Set<string>();

  constructor(kv: KV, fence: WriteFence = UNFENCED, onConflict?: () => void) {
    this.#cas = new CasKv(kv, fence, onConflict);
  }

  async load(): Promise<EngineState> {
    const all = await this.#cas.readAll((k) => k.startsWith('w_') || k.startsWith('g_'));
    const values = new Map(all.map((e) => [e.key, e.value]));
    const out: EngineState = { thresholds: [], absences: [] };
    for (const [k, v] of values) {
      if (k.startsWith('g_')) {
        const a = v as AbsenceGroupState;
        out.absences.push(a);
        this.#absences.add(a.key);
        continue;
      }
      if (k.includes('.')) continue;
      const head = v as ThresholdHead;
      const window: Window = { tailNo: 0, tail: new Map(), sealed: new Map() };
      const entries: StoredWindowEntry[] = [];
      const numbers = [...head.segments].sort((a, b) => a - b);
      for (const n of numbers) {
        const seg = values.get(segmentKey(head.key, n)) as Segment | undefined;
        if (!seg) continue;
        entries.push(...seg.entries);
        if (n === numbers[numbers.length - 1]) {
          window.tailNo = n;
          window.tail = new Map(seg.entries.map((e) => [e[0], e]));
        } else window.sealed.set(n, maxTs(seg.entries));
      }
      this.#windows.set(head.key, window);
      out.thresholds.push({
        key: head.key,
        labels: head.labels,
        firing: head.firing,
        evidence: head.evidence,
        entries,
        windowStart: -Infinity,
      });
    }
    return out;
  }

  async save(changes: EngineChanges): Promise<void> {
    await Promise.all([
      ...changes.thresholds.map((t) => this.#saveThreshold(t)),
      ...changes.absences.map((a) => {
        this.#absences.add(a.key);
        return this.#cas.put(absenceKey(a.key), a);
      }),
      ...changes.dropped.map((key) => this.#drop(key)),
    ]);
  }

  async #saveThreshold(t: ThresholdGroupState): Promise<void> {
    let w = this.#windows.get(t.key);
    if (!w) this.#windows.set(t.key, (w = { tailNo: 0, tail: new Map(), sealed: new Map() }));
    const writes: Promise<void>[] = [];
    for (const e of t.entries) {
      w.tail.set(e[0], e);
      if (w.tail.size >= SEGMENT_ENTRIES) {
        const full = [...w.tail.values()];
        writes.push(this.#cas.put(segmentKey(t.key, w.tailNo), { entries: full } satisfies Segment));
        w.sealed.set(w.tailNo, maxTs(full));
        w.tailNo++;
        w.tail = new Map();
      }
    }
    if (t.entries.length > 0 && w.tail.size > 0)
      writes.push(this.#cas.put(segmentKey(t.key, w.tailNo), { entries: [...w.tail.values()] } satisfies Segment));
    for (const [n, newest] of w.sealed)
      if (newest < t.windowStart) {
        w.sealed.delete(n);
        writes.push(this.#cas.delete(segmentKey(t.key, n)));
      }
    // Segments first: a head never names a segment that was not written.
    await Promise.all(writes);
    const head: ThresholdHead = {
      key: t.key,
      labels: t.labels,
      firing: t.firing,
      evidence: t.evidence,
      segments: [...w.sealed.keys(), ...(w.tail.size > 0 ? [w.tailNo] : [])],
    };
    await this.#cas.put(headKey(t.key), head);
  }

  async #drop(key: string): Promise<void> {
    const w = this.#windows.get(key);
    if (w) {
      this.#windows.delete(key);
      await this.#cas.delete(headKey(key));
      await Promise.all(
        [...w.sealed.keys(), w.tailNo].map((n) => this.#cas.delete(segmentKey(key, n)).catch(() => undefined)),
      );
    }
    if (this.#absences.delete(key)) await this.#cas.delete(absenceKey(key));
  }
}

/** Changes still to store followed by newer ones, as one save: the newest state of each group, every entry. */
export function mergeChanges(older: EngineChanges | null, newer: EngineChanges): EngineChanges {
  if (!older) return newer;
  const thresholds = new Map(older.thresholds.map((t) => [t.key, t]));
  for (const t of newer.thresholds) {
    const prev = thresholds.get(t.key);
    thresholds.set(t.key, prev ? { ...t, entries: [...prev.entries, ...t.entries] } : t);
  }
  const absences = new Map(older.absences.map((a) => [a.key, a]));
  for (const a of newer.absences) absences.set(a.key, a);
  const dropped = new Set(older.dropped);
  for (const k of newer.dropped) {
    dropped.add(k);
    thresholds.delete(k);
    absences.delete(k);
  }
  // A group changed after it was dropped lives again.
  for (const k of [...newer.thresholds, ...newer.absences].map((g) => g.key)) dropped.delete(k);
  return { thresholds: [...thresholds.values()], absences: [...absences.values()], dropped: [...dropped] };
}
