/**
 * A stop that comes while the alerter is still starting (restoring its records, as a replica does when its lease
 * is lost during a slow takeover) waits for the start and then stops everything it started: consumers and
 * timers started after the stop was asked for would otherwise keep the process alive after SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@cctap/kit/internal';
import { buildRuleSet } from '../rules/load-rules.js';
import { MemoryAlertStateStore, type AlertRecord } from '../state/alert-record.js';
import { MemorySilenceStore } from '../state/silences.js';
import { createAlerter } from './create-alerter.js';

/** A record store whose first load waits until the test lets it go. */
class GatedStateStore extends MemoryAlertStateStore {
  release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  override async load(): Promise<AlertRecord[]> {
    await this.gate;
    return super.load();
  }
}

describe('alerter start and stop', () => {
  it('a stop during the start waits for it and leaves nothing running', async () => {
    const state = new GatedStateStore();
    const alerter = createAlerter({
      rules: buildRuleSet({ rulePack: false, receivers: [], rules: [] }, { env: {} }),
      clock: new ManualClock(Date.parse('2026-03-02T10:00:00.000Z')),
      state,
      silences: new MemorySilenceStore(),
      tickMs: 1_000_000,
    });
    const started = alerter.start();
    const stopped = alerter.stop();
    let stopDone = false;
    void stopped.then(() => (stopDone = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopDone).toBe(false); // still waiting for the start
    state.release();
    await Promise.all([started, stopped]);
    expect(alerter.health().ready).toBe(false);
  });
});
