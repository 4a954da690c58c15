/** Every model that answers in the real transcripts of test/fixtures/real resolves to a priced key. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { resolveModel } from './resolve-model.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));

function answeringModels(): Set<string> {
  const models = new Set<string>();
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(`${DIR}${f}`, 'utf8').split('\n')) {
      if (!line.includes('"assistant"')) continue;
      try {
        const o = JSON.parse(line) as { type?: string; message?: { model?: string } };
        if (o.type === 'assistant' && typeof o.message?.model === 'string') models.add(o.message.model);
      } catch {
        // malformed fixture lines are the normalizer's subject, not this test's
      }
    }
  }
  return models;
}

describe('models of the real fixtures', () => {
  it("are all priced, except the CLI's own <synthetic> lines", () => {
    const models = [...answeringModels()].filter((m) => m !== '<synthetic>').sort();
    expect(models.length).toBeGreaterThanOrEqual(4);
    expect(models.map((m) => [m, resolveModel(shippedBook(), m)])).toEqual([
      ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
      ['claude-opus-4-6', 'claude-opus-4-6'],
      ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
      ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ]);
  });
});
