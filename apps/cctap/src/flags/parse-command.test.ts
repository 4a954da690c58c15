import { describe, expect, it } from 'vitest';
import type { CommandSpec } from './command-spec.js';
import { misplacedFlag, parseCommandLine } from './parse-command.js';

const spec = {
  name: 'thing',
  summary: 'a command',
  usage: 'usage: cctap thing a|b [options]',
  positionals: 'a|b',
  flags: {
    data: { type: 'string', env: 'CCTAP_DATA', description: 'where' },
    format: { type: 'string', default: 'table', description: 'how' },
    json: { type: 'boolean', short: 'j', description: 'json' },
    instances: { type: 'boolean', short: 'i', only: ['a'], description: 'by instance' },
    id: { type: 'string', short: 'i', only: ['b'], description: 'one id' },
  },
} as const satisfies CommandSpec;

describe('parseCommandLine', () => {
  it('takes a flag from the command line, else from its variable, else its default; `given` is the command line only', () => {
    const r = parseCommandLine(spec, ['a', '-j'], { env: { CCTAP_DATA: '/env' } });
    expect(r.values).toEqual({ data: '/env', format: 'table', json: true });
    expect(r.given).toEqual({ json: true });
    expect(r.positionals).toEqual(['a']);
    expect(r.help).toBe(false);
    expect(parseCommandLine(spec, ['--data', '/flag'], { env: { CCTAP_DATA: '/env' } }).values.data).toBe('/flag');
    // An empty variable is unset.
    expect(parseCommandLine(spec, [], { env: { CCTAP_DATA: '' } }).values.data).toBeUndefined();
    expect(parseCommandLine(spec, ['-h'], { env: {} }).help).toBe(true);
  });

  it('gives a shared short form to the flag that goes with the sub-command, else to the first declared', () => {
    expect(parseCommandLine(spec, ['b', '-i', 's1'], { sub: 'b', env: {} }).given).toEqual({ id: 's1' });
    expect(parseCommandLine(spec, ['a', '-i'], { sub: 'a', env: {} }).given).toEqual({ instances: true });
    expect(parseCommandLine(spec, ['-i'], { env: {} }).given).toEqual({ instances: true });
  });

  it('refuses words after a command that takes none, and an unknown flag naming the close one', () => {
    const none = { ...spec, positionals: undefined } as CommandSpec & { flags: typeof spec.flags };
    expect(() => parseCommandLine(none, ['extra'], { env: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }),
    );
    expect(() => parseCommandLine(spec, ['--fromat', 'json'], { env: {} })).toThrow(
      "unknown option '--fromat'; did you mean --format?",
    );
  });

  it('names a flag given with a sub-command it does not go with', () => {
    expect(misplacedFlag(spec.flags, { id: 's1' }, 'a')).toEqual({ flag: 'id', only: ['b'] });
    expect(misplacedFlag(spec.flags, { id: 's1', json: true }, 'b')).toBeUndefined();
  });
});
