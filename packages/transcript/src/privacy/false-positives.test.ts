/**
 * Over-masking on ordinary sessions: every real transcript (test/fixtures/real) in `redacted` mode against
 * `full`. Ids and hashes (git SHAs, UUIDs, message and tool ids) must come through, and masks must stay rare.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PrivacyMode } from '@cctap/events';
import { normalizeLine } from '../normalize/normalize-line.js';
import { lineCtx } from '../testing/lines.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));
const ID_LIKE =
  /\b(?:[0-9a-f]{40}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:msg|toolu)_[A-Za-z0-9]{20,})\b/g;

function eventsJson(privacy: PrivacyMode): { json: string; events: number } {
  let json = '';
  let events = 0;
  for (const name of readdirSync(DIR)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    readFileSync(DIR + name, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const r = normalizeLine(Buffer.from(line), lineCtx(privacy, { offset: i }));
        if ('failure' in r) return;
        events += r.events.length;
        json += `${JSON.stringify(r.events)}\n`;
      });
  }
  return { json, events };
}

describe('redaction on real sessions', () => {
  const full = eventsJson('full');
  const redacted = eventsJson('redacted');

  it('keeps every git SHA, UUID and message or tool id', () => {
    const ids = new Set(full.json.match(ID_LIKE));
    expect(ids.size).toBeGreaterThan(100);
    const kept = new Set(redacted.json.match(ID_LIKE));
    const lost = [...ids].filter((id) => !kept.has(id));
    expect(lost).toEqual([]);
  });

  it('masks rarely: under one mask per hundred events', () => {
    const masks = redacted.json.match(/\[REDACTED:[a-z_]+\]/g) ?? [];
    expect(redacted.events).toBe(full.events);
    expect(masks.length * 100).toBeLessThan(redacted.events);
  });
});
