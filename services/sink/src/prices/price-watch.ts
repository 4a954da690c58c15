/**
 * Keeps the store's price rows complete while usage arrives: a full sync at start, and another whenever an
 * inserted batch brings a model the last sync did not see (an in-memory set lookup per row: nothing is asked
 * of the store for models it already knows). Syncs never overlap; a failed sync is logged and retried with
 * the next batch that brings the model, since the usage rows are already safe in the store.
 */
import { SerialQueue } from '@cctap/kit';
import type { PriceBook } from '@cctap/prices';
import type { Store } from '@cctap/store';
import { syncPrices, type PriceSyncResult } from '@cctap/store';

export class PriceWatch {
  private readonly seen = new Set<string>();
  private readonly syncs = new SerialQueue();

  constructor(
    private readonly store: Store,
    readonly book: PriceBook,
  ) {}

  /** Syncs the whole book now (at start, after the migrations). */
  sync(): Promise<PriceSyncResult> {
    return this.syncs.run(async () => {
      const r = await syncPrices(this.store, this.book);
      for (const m of r.models) this.seen.add(m);
      return r;
    });
  }

  /** After usage rows were inserted: syncs when one of their models is new to the price rows. */
  async observe(models: Iterable<string>): Promise<PriceSyncResult | null> {
    for (const m of models) if (!this.seen.has(m)) return this.sync();
    return null;
  }
}
