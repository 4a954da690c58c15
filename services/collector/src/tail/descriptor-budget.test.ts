import { describe, expect, it } from 'vitest';
import { descriptorBudget, openFilesSoftLimit } from './descriptor-budget.js';

const limits = (soft: string) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 524288               files\n`;

describe('descriptorBudget', () => {
  it('is the configured cap, at most a quarter of the soft limit', () => {
    expect(openFilesSoftLimit(limits('1024'))).toBe(1024);
    expect(descriptorBudget(256, 1024)).toBe(256);
    expect(descriptorBudget(256, 300)).toBe(75);
    expect(descriptorBudget(256, 16)).toBe(8);
    expect(descriptorBudget(256, null)).toBe(256);
    expect(openFilesSoftLimit(limits('unlimited'))).toBeNull();
    expect(openFilesSoftLimit('no such line')).toBeNull();
  });
});
