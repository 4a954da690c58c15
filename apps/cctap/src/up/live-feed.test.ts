import { encodeBatch, SCHEMA_VERSION, topology, type CctapEvent } from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';
import { describe, expect, it } from 'vitest';
import { LiveFeed, type FeedItem } from './live-feed.js';

const t = topology();
const batch = (events: CctapEvent[]) =>
  encodeBatch({ v: SCHEMA_VERSION, host: 'laptop-1', source: { path: '/g', fileId: 'guard', from: 0, to: 1 }, events });

describe('the live feed', () => {
  it('shows the tool calls cctap guard denied or asked about, not the ones it let through', () => {
    const feed = new LiveFeed(t);
    const items: FeedItem[] = [];
    feed.on('item', (i) => items.push(i));
    feed.goLive();
    const deny = sampleEvent('guard', {}, { offset: 0 });
    const ask = sampleEvent(
      'guard',
      { decision: 'ask', rule: 'risky-command', match: 'sudo ls', findings: ['sudo'] },
      { offset: 1 },
    );
    const allow = sampleEvent('guard', { decision: 'allow', rule: null, match: null, findings: [] }, { offset: 2 });
    feed.observe(`${t.root}.events.laptop-1`, batch([deny, ask, allow]));
    expect(items.map((i) => [i.kind, i.severity])).toEqual([
      ['guard', 'critical'],
      ['guard', 'warning'],
    ]);
    expect(items[0]!.text).toMatch(/^guard deny .*dangerous-command: Bash rm -rf \/$/);
    expect(items[1]!.text).toMatch(/^guard ask .*risky-command: Bash sudo ls$/);
    expect(feed.tallies.guard).toBe(2);
  });
});
