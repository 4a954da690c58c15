/**
 * Bounded label values for Prometheus: the first `max` distinct values keep their own series, later ones are
 * reported as 'other', so one host sending garbage cannot create unbounded series. (A true top-N would have
 * to move a value between series after the fact, which counters cannot do; in practice the first values seen
 * are the frequent ones.)
 */
export const OTHER_LABEL = 'other';

export class LabelCap {
  readonly #kept = new Set<string>();
  constructor(readonly max: number) {}

  of(value: string): string {
    if (this.#kept.has(value)) return value;
    if (this.#kept.size >= this.max) return OTHER_LABEL;
    this.#kept.add(value);
    return value;
  }
}
