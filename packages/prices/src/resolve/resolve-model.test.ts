import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { resolveModel } from './resolve-model.js';

const book = shippedBook();

describe('resolveModel', () => {
  it.each([
    ['claude-opus-4.8', 'claude-opus-4-8'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
    ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['apac.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['global.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku'],
    ['claude-4-sonnet-20250514', 'claude-sonnet-4'],
    ['claude-4-opus-20250514', 'claude-opus-4'],
    ['claude-sonnet-4-0', 'claude-sonnet-4'],
    ['claude-3-7-sonnet-20250219', 'claude-3-7-sonnet'],
    ['claude-3.7-sonnet', 'claude-3-7-sonnet'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['claude-3-opus-20240229', 'claude-3-opus'],
    ['claude-3-haiku-20240307', 'claude-3-haiku'],
    ['anthropic/claude-opus-5.5', 'claude-opus-5-5'],
    ['claude-sonnet-5-5-20261001', 'claude-sonnet-5-5'],
    ['Claude-Fable-5-1', 'claude-fable-5-1'],
    ['claude-mythos-5.2', 'claude-mythos-5-2'],
  ])('%s -> %s', (model, key) => {
    expect(resolveModel(book, model)).toBe(key);
  });

  it.each([
    'claude-opus-4-9',
    'claude-opus-4-9-20270101',
    'claude-opus-6',
    'claude-sonnet-5-6',
    'claude-haiku-5',
    'claude-fable-5-3',
    'claude-3-sonnet',
    'claude-opus',
    'claude-v1',
    'deepseek-chat',
    'deepseek-v3.2',
    'MiniMax-M2',
    '<synthetic>',
    '',
    'claude-opus-4-8-fast',
  ])('%s is unknown (no neighbour)', (model) => {
    expect(resolveModel(book, model)).toBeNull();
  });

  it('never resolves a newer minor to its major', () => {
    expect(resolveModel(book, 'claude-opus-5-5')).not.toBe('claude-opus-5');
    expect(resolveModel(book, 'claude-sonnet-5-5-20261001')).not.toBe('claude-sonnet-5');
  });
});
