import { describe, expect, it } from 'vitest';
import { quotaReportOf } from './quota-report.js';
import { parseStatusInput } from './status-input.js';

describe('the status-line input', () => {
  it('reads the documented fields: resets_at in epoch seconds, context from used_percentage or current_usage', () => {
    const input = parseStatusInput(
      JSON.stringify({
        session_id: 's1',
        transcript_path: '/t/s1.jsonl',
        cwd: '/a',
        version: '2.1.300',
        model: { id: 'claude-opus-4-6', display_name: 'Opus 4.6' },
        workspace: { current_dir: '/a/b', project_dir: '/a' },
        cost: { total_cost_usd: 1.5 },
        context_window: {
          context_window_size: 200_000,
          current_usage: {
            input_tokens: 10,
            output_tokens: 5,
            cache_creation_input_tokens: 20,
            cache_read_input_tokens: 70,
          },
        },
        rate_limits: {
          five_hour: { used_percentage: 91.5, resets_at: 1_800_000_000 },
          seven_day: { used_percentage: 12 },
        },
      }),
    );
    expect(input).toMatchObject({ sessionId: 's1', cwd: '/a/b', modelName: 'Opus 4.6', clientCostUsd: 1.5 });
    expect(input.fiveHour).toEqual({ usedPercentage: 91.5, resetsAt: '2027-01-15T08:00:00.000Z' });
    expect(input.sevenDay).toEqual({ usedPercentage: 12, resetsAt: null });
    expect(input.context).toEqual({ usedPercentage: 0.05, usedTokens: 100, windowTokens: 200_000 });
    expect(quotaReportOf(input)!.readings.map((r) => r.window)).toEqual(['five_hour', 'seven_day', 'context']);
  });

  it('takes anything: not JSON, wrong types and missing fields are absent figures, no readings', () => {
    for (const text of [
      '',
      'nope',
      '[1]',
      JSON.stringify({ model: 'x', rate_limits: { five_hour: { used_percentage: '90' } }, context_window: null }),
    ]) {
      const input = parseStatusInput(text);
      expect(input).toMatchObject({ sessionId: null, modelName: null, fiveHour: null, context: null });
      expect(quotaReportOf(input)).toBeNull();
    }
  });
});
