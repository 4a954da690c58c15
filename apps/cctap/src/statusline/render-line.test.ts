import { describe, expect, it } from 'vitest';
import { renderLine, shortModelName } from './render-line.js';
import { parseStatusInput } from './status-input.js';

describe('the status line', () => {
  it('names the model shortly, from display_name or else the id', () => {
    expect(shortModelName({ modelName: 'Claude Opus 4.6', modelId: null })).toBe('Opus 4.6');
    expect(shortModelName({ modelName: null, modelId: 'claude-sonnet-4-5-20250929' })).toBe('Sonnet 4.5');
    expect(shortModelName({ modelName: null, modelId: 'claude-3-5-haiku-20241022' })).toBe('Haiku 3.5');
    expect(shortModelName({ modelName: null, modelId: 'claude-opus-4-20250514' })).toBe('Opus 4');
    expect(shortModelName({ modelName: null, modelId: 'gpt-x' })).toBe('gpt-x');
  });

  it('shows the figures of up, and only what is known without it', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    const input = parseStatusInput(
      JSON.stringify({
        model: { display_name: 'Opus 4.6' },
        cost: { total_cost_usd: 2 },
        context_window: { used_percentage: 41.6 },
      }),
    );
    const figures = {
      sessionCostUsd: 1.234,
      todayCostUsd: null,
      block: { costUsd: 3.2, endTime: '2026-03-02T12:13:00Z', costPerHour: 1.2, tokensPerMinute: 10 },
      priceBook: 'b',
    };
    expect(renderLine({ input, figures, now })).toBe(
      'Opus 4.6 | session $1.23 | today $? | block $3.20, 2h13m left, $1.20/h | ctx 42%',
    );
    expect(renderLine({ input, figures: { ...figures, block: null }, now })).toBe(
      'Opus 4.6 | session $1.23 | today $? | no active block | ctx 42%',
    );
    expect(renderLine({ input, figures: null, transcriptCostUsd: 0.5, note: 'no cctap up', now })).toBe(
      'Opus 4.6 | session $0.50 | ctx 42% | no cctap up',
    );
    // Neither up nor a transcript: Claude Code's own estimate, marked as one.
    expect(renderLine({ input, figures: null, now })).toBe('Opus 4.6 | session ~$2.00 | ctx 42%');
  });
});
