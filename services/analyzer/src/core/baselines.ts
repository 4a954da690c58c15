/**
 * Per-user baselines of finished sessions (token rate, error rate) for the anomaly detector: the last
 * `baselineSize` values per metric, for the `maxUsers` most recently active users.
 */
import { BoundedMap } from '@cctap/kit';
import { pushBounded } from './stats.js';

export interface UserBaseline {
  tokenRates: number[];
  errorRates: number[];
}

export class Baselines {
  private readonly byUser: BoundedMap<string, UserBaseline>;
  private readonly dirty = new Set<string>();

  constructor(
    maxUsers: number,
    private readonly size: number,
  ) {
    this.byUser = new BoundedMap(maxUsers);
  }

  get(user: string): UserBaseline | undefined {
    return this.byUser.get(user);
  }

  /** Adds one finished session's rates; the user becomes the most recently active. */
  record(user: string, tokenRate: number | null, errorRate: number | null): void {
    let b = this.byUser.get(user);
    if (b) this.byUser.touch(user);
    else {
      b = { tokenRates: [], errorRates: [] };
      this.byUser.set(user, b);
    }
    if (tokenRate !== null) pushBounded(b.tokenRates, tokenRate, this.size);
    if (errorRate !== null) pushBounded(b.errorRates, errorRate, this.size);
    this.dirty.add(user);
  }

  /** Loads a saved baseline. */
  load(user: string, b: UserBaseline): void {
    this.byUser.set(user, b);
  }

  /** Users whose baseline changed since the last call, with their baseline. */
  takeChanged(): [string, UserBaseline][] {
    const out: [string, UserBaseline][] = [];
    for (const user of this.dirty) {
      const b = this.byUser.get(user);
      if (b) out.push([user, b]);
    }
    this.dirty.clear();
    return out;
  }
}
