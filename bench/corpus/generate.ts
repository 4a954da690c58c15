#!/usr/bin/env node
/**
 * node bench/dist/corpus/generate.js --out DIR --size 200MB [--seed N] [--hosts N] [--days N]
 *                                    [--start YYYY-MM-DD] [--force]
 */
import { parseArgs } from 'node:util';
import { CorpusOptionsError, generateCorpus } from './generate-corpus.js';
import { InvalidSizeError, parseSize } from './size.js';

const USAGE = 'usage: generate --out DIR --size 200MB [--seed N] [--hosts N] [--days N] [--start YYYY-MM-DD] [--force]';

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CorpusOptionsError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

try {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      hosts: { type: 'string' },
      days: { type: 'string' },
      start: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.out || !values.size) throw new CorpusOptionsError(`--out and --size are required\n${USAGE}`);
  const t0 = performance.now();
  const { expected, expectedPath } = generateCorpus({
    out: values.out,
    size: parseSize(values.size),
    seed: int('seed', values.seed),
    hosts: int('hosts', values.hosts),
    days: int('days', values.days),
    startDate: values.start,
    force: values.force ?? false,
  });
  const { totals } = expected;
  console.log(
    `wrote ${totals.files} files (${totals.sessions} sessions, ${totals.resumeCopies} resume copies), ` +
      `${(totals.bytes / 1e6).toFixed(1)} MB, ${totals.lines} lines, ${totals.responses} API responses ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s; expected accounting in ${expectedPath}`,
  );
} catch (err) {
  if (
    err instanceof CorpusOptionsError ||
    err instanceof InvalidSizeError ||
    (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    console.error(`generate: ${(err as Error).message}`);
    process.exit(2);
  }
  throw err;
}
