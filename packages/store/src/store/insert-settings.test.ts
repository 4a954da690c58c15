/**
 * A JSON object given for a String column is stored as its JSON text, exactly as JSON.stringify wrote it
 * inside the row (insert-settings.ts): what an event row's payload relies on. On the real embedded engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../testing/temp-store.js';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-insert-settings-', { migrated: false });
  await store.command('CREATE TABLE docs (id UInt32, doc String, note String) ENGINE = MergeTree ORDER BY id');
}, 60_000);
afterAll(() => store.close());

const payload = {
  kind: 'human',
  text: 'say "hi"\nthen \\ leave\r\t\u2028 é 日本 😀 \u0001',
  empty: '',
  nested: [[1, 2.5, -0.125, 1e21], [], [{ deep: ['a', null, true, { x: '"}' }] }]],
  obj: { '': 0, 'key with "quotes"': 'v', '{': '}' },
  zero: 0,
  none: null,
};
// A lone surrogate, which JSON.stringify writes as an escape: stored as written all the same.
const lone = { text: 'cut \ud800 here', list: ['\udc00'] };

describe('an insert given an object for a String column', () => {
  it('stores exactly JSON.stringify of the object, and a string as the string', async () => {
    await store.insert('docs', [
      { id: 1, doc: payload, note: 'a "plain" string\n' },
      { id: 2, doc: {}, note: JSON.stringify(payload) },
      { id: 3, doc: { nested: { a: [{ b: [] }] } }, note: '' },
      { id: 4, doc: lone, note: '' },
    ]);
    const rows = await store.query<{ id: number; doc: string; note: string }>(
      'SELECT id, doc, note FROM docs ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, doc: JSON.stringify(payload), note: 'a "plain" string\n' },
      { id: 2, doc: '{}', note: JSON.stringify(payload) },
      { id: 3, doc: '{"nested":{"a":[{"b":[]}]}}', note: '' },
      { id: 4, doc: JSON.stringify(lone), note: '' },
    ]);
    expect(JSON.parse(rows[0]!.doc)).toEqual(payload);
  }, 60_000);

  it("stores text the engine's JSON functions read, as the views do with an event's payload", async () => {
    const [r] = await store.query<{ kind: string; text: string; n: number }>(
      "SELECT JSONExtractString(doc, 'kind') AS kind, JSONExtractString(doc, 'text') AS text, JSONLength(doc, 'nested') AS n FROM docs WHERE id = 1",
    );
    expect(r).toEqual({ kind: 'human', text: payload.text, n: 3 });
  }, 60_000);
});
