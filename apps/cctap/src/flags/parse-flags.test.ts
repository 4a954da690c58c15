import { describe, expect, it } from 'vitest';
import { editDistance, parseFlags, suggest, unknownOptionMessage, type UnknownFlagError } from './parse-flags.js';

describe('suggest', () => {
  it('finds the flag a typo meant: a swap, a missing, an extra or a wrong letter', () => {
    const flags = ['--data', '--clickhouse', '--prices', '--metrics-port', '--metrics-host', '--json', '--help', '-h'];
    expect(suggest('--dta', flags)).toBe('--data');
    expect(suggest('--clickhose', flags)).toBe('--clickhouse');
    expect(suggest('--pricess', flags)).toBe('--prices');
    expect(suggest('--metrics-prot', flags)).toBe('--metrics-port');
    expect(suggest('--jsno', flags)).toBe('--json');
    expect(suggest('--metricsPort', flags)).toBe('--metrics-port');
  });

  it('finds a command name (no dashes)', () => {
    expect(suggest('reprot', ['up', 'report', 'sql', 'prices'])).toBe('report');
    expect(suggest('pices', ['up', 'report', 'sql', 'prices'])).toBe('prices');
  });

  it('says nothing when nothing is close, when two are equally close, or for a one-letter flag', () => {
    expect(suggest('--bogus', ['--data', '--json'])).toBeUndefined();
    expect(suggest('--metrics-hots', ['--metrics-port', '--metrics-host', '--metrics-post'])).toBe('--metrics-host');
    expect(suggest('--metrics-pot', ['--metrics-port', '--metrics-post'])).toBeUndefined();
    expect(suggest('-x', ['-h', '--help'])).toBeUndefined();
    expect(suggest('--data', ['--data'])).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('reprot', 'report')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('parseFlags', () => {
  const options = {
    data: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } as const;

  it('parses exactly as node:util parseArgs does', () => {
    expect(parseFlags({ args: ['--data', '/d', '--json', 'x'], options, allowPositionals: true })).toEqual({
      values: { data: '/d', json: true },
      positionals: ['x'],
    });
  });

  it("refuses an unknown flag with parseArgs' code, naming the close flag", () => {
    let caught: UnknownFlagError | undefined;
    try {
      parseFlags({ args: ['--dta', '/d'], options, allowPositionals: true });
    } catch (err) {
      caught = err as UnknownFlagError;
    }
    expect(caught?.code).toBe('ERR_PARSE_ARGS_UNKNOWN_OPTION');
    expect(caught?.message).toBe("unknown option '--dta'; did you mean --data?");
    expect(caught?.suggestion).toBe('--data');
    expect(() => parseFlags({ args: ['--bogus'], options })).toThrow(/^unknown option '--bogus'$/);
  });

  it('leaves other parse errors as they are', () => {
    expect(() => parseFlags({ args: ['--data'], options })).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' }),
    );
  });

  it('words the message the same way for every parser', () => {
    expect(unknownOptionMessage('metrics-prot', ['metrics-port'])).toBe(
      "unknown option 'metrics-prot'; did you mean metrics-port?",
    );
  });
});
