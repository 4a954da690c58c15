/**
 * "N occurrences within a window", order-insensitive, once per episode. Used by the loop detector (same tool
 * and same input hash) and the error-burst detector.
 *
 * States of one key:
 *   quiet   -> an occurrence is inserted in timestamp order (late ones too); when some window of `windowMs`
 *              now holds `count` occurrences the detector fires and the key becomes
 *   firing  -> further occurrences within `windowMs` of the episode only extend it (no new event); an
 *              occurrence after the episode's end starts over as quiet.
 * Occurrences older than the newest one minus `windowMs` can no longer complete a window and are pruned,
 * so memory per key is bounded by the rate, not the session length.
 */

export interface EpisodeWindow {
  /** [ts ms, tag] sorted by ts. The tag lets a caller count kinds (tool vs API errors). */
  entries: [number, number][];
  /** While an episode is running: the last instant at which an occurrence still belongs to it. */
  firedUntil: number;
}

export interface Fired {
  firstTs: number;
  lastTs: number;
  /** Tags of the occurrences of the window that fired. */
  tags: number[];
}

export function emptyWindow(): EpisodeWindow {
  return { entries: [], firedUntil: -Infinity };
}

/** Records one occurrence; returns the window that completed, or null. Bounded by `maxEntries`. */
export function recordOccurrence(
  w: EpisodeWindow,
  ts: number,
  tag: number,
  count: number,
  windowMs: number,
  maxEntries = 1024,
): Fired | null {
  const e = w.entries;
  let i = e.length;
  while (i > 0 && e[i - 1]![0] > ts) i -= 1;
  e.splice(i, 0, [ts, tag]);
  const newest = e[e.length - 1]![0];
  let drop = 0;
  while (drop < e.length && e[drop]![0] < newest - windowMs) drop += 1;
  if (e.length - drop > maxEntries) drop = e.length - maxEntries;
  if (drop > 0) {
    e.splice(0, drop);
    i -= drop;
    if (i < 0) return null; // pruned at once: too old to matter
  }
  if (ts <= w.firedUntil) {
    w.firedUntil = Math.max(w.firedUntil, ts + windowMs);
    return null;
  }
  for (let start = Math.max(0, i - count + 1); start <= i && start + count - 1 < e.length; start += 1) {
    const first = e[start]!;
    const last = e[start + count - 1]!;
    if (last[0] - first[0] <= windowMs) {
      w.firedUntil = Math.max(last[0], ts) + windowMs;
      return { firstTs: first[0], lastTs: last[0], tags: e.slice(start, start + count).map((x) => x[1]) };
    }
  }
  return null;
}
