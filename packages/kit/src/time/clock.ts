/**
 * Wall-clock source. Logic that decides by elapsed time (timeouts, windows, throttles) takes a Clock instead of
 * calling Date.now, so tests and replays move time themselves rather than wait for it.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (tests, benchmarks, replays). */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
