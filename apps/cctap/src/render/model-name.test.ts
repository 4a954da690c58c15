import { describe, expect, it } from 'vitest';
import { modelsCell, shortModelName } from './model-name.js';

describe('short model names', () => {
  it('prints ids the way ccusage tables do', () => {
    expect(shortModelName('claude-opus-4-8')).toBe('opus-4-8');
    expect(shortModelName('claude-sonnet-4-6')).toBe('sonnet-4-6');
    expect(shortModelName('claude-sonnet-4-20250514')).toBe('sonnet-4');
    expect(shortModelName('claude-sonnet-4-5-20250929')).toBe('sonnet-4-5');
    expect(shortModelName('claude-3-5-haiku-20241022')).toBe('haiku-3-5');
    expect(shortModelName('claude-opus-4-6-fast')).toBe('opus-4-6-fast');
    expect(shortModelName('claude-opus-4-20250514-fast')).toBe('opus-4-fast');
    expect(shortModelName('anthropic/claude-sonnet-4-6')).toBe('sonnet-4-6');
    expect(shortModelName('<synthetic>')).toBe('<synthetic>');
    expect(shortModelName('gpt-5')).toBe('gpt-5');
  });

  it('lists unique names sorted, one per line', () => {
    expect(modelsCell(['claude-sonnet-4-6', 'claude-opus-4-8', 'claude-opus-4-8-20260101'])).toBe(
      '- opus-4-8\n- sonnet-4-6',
    );
  });
});
