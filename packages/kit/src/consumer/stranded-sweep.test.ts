import { describe, expect, it } from 'vitest';
import { subjectSelected } from './stranded-sweep.js';

describe('subjectSelected (a consumer filter, as nats-server matches it)', () => {
  it('matches literal tokens, `*` for one token and `>` for one or more at the end', () => {
    expect(subjectSelected('p.events.h1', 'p.events.h1')).toBe(true);
    expect(subjectSelected('p.events.h1', 'p.events.h2')).toBe(false);
    expect(subjectSelected('p.events.*', 'p.events.h1')).toBe(true);
    expect(subjectSelected('p.events.*', 'p.events.h1.x')).toBe(false);
    expect(subjectSelected('p.*.h1', 'p.invalid.h1')).toBe(true);
    expect(subjectSelected('p.events.>', 'p.events.h1.x')).toBe(true);
    expect(subjectSelected('p.events.>', 'p.events')).toBe(false);
    expect(subjectSelected('p.events', 'p.events.h1')).toBe(false);
    expect(subjectSelected('>', 'anything.at.all')).toBe(true);
  });
});
