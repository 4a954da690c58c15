/**
 * `cctap prices`: the price book the store prices usage with (the shipped book merged with the user's price
 * file), and `cctap prices update`, which imports a public source's Anthropic prices into that file.
 * Applying a changed file needs no re-ingest: the next start of `up` / `sink` (or `cctap migrate`, or
 * `cctap report --prices FILE`) writes the book into the store, and every stored response is re-priced.
 */
import { existsSync } from 'node:fs';
import {
  importGenaiPrices,
  importLiteLlm,
  isZonedInstant,
  listKeys,
  loadBook,
  priceRows,
  type PriceBook,
} from '@cctap/prices';
import { bookOrComplain } from '../price-book-of.js';
import { DEFAULT_PRICE_FILE, explicitPriceFile, PRICES_FLAG, priceFileOf } from '../price-file.js';
import { readSource, PriceSourceError, SOURCES, type SourceName } from '../prices/fetch-source.js';
import { userFileOf, writeUserFile } from '../prices/user-price-file.js';
import { readLiveInstance } from '../up/instance-file.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printHelp } from '../flags/command-help.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { suggest } from '../flags/parse-flags.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'prices',
  summary: SUMMARIES.prices,
  usage: `usage: cctap prices [--json] [--prices FILE]
       cctap prices update [--from URL|FILE] [--source litellm|genai-prices] [--effective-from INSTANT]
                           [--prices FILE] [--data DIR]

  (no sub-command)     the effective book: per model and period, USD per million tokens (input, output,
                       5-minute and 1-hour cache writes, cache read), the whole-request tier, the fast and
                       US-only multipliers, USD per web search, and the book version
  update               fetch a public source (default: LiteLLM's model_prices_and_context_window.json from
                       GitHub), import its Anthropic prices, write the result to the price file and list
                       what changed`,
  positionals: 'update',
  flags: {
    json: { type: 'boolean', description: 'machine-readable listing' },
    prices: { ...PRICES_FLAG, shownDefault: '~/.cctap/prices.json' },
    source: {
      type: 'string',
      arg: 'NAME',
      only: ['update'],
      shownDefault: 'litellm',
      description: "litellm or genai-prices (pydantic's prices/data.json)",
    },
    from: {
      type: 'string',
      arg: 'URL|FILE',
      only: ['update'],
      description: 'read the source from there instead (a downloaded copy on a machine without internet)',
    },
    'effective-from': {
      type: 'string',
      arg: 'T',
      only: ['update'],
      description:
        'changed prices apply from this instant on (e.g. 2026-12-01T00:00:00Z); history before it keeps its prices. Without it, the newest prices are corrected in place',
    },
    data: {
      type: 'string',
      arg: 'DIR',
      env: 'CCTAP_DATA',
      shownDefault: '~/.cctap/data',
      only: ['update'],
      description: "the embedded store, to tell whether 'cctap up' is running on it",
    },
  },
} as const satisfies CommandSpec;

const perMTok = (usdPerToken: number): number => Number((usdPerToken * 1_000_000).toPrecision(12));

interface ListedRow {
  model: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  tier: {
    threshold: number;
    input: number;
    output: number;
    cacheWrite5m: number;
    cacheWrite1h: number;
    cacheRead: number;
  } | null;
  fastMultiplier: number;
  usMultiplier: number;
  webSearchPerRequest: number;
}

function listing(book: PriceBook): ListedRow[] {
  return listKeys(book).flatMap((key) =>
    priceRows(book, key).map((r) => ({
      model: key,
      effectiveFrom: r.effectiveFrom,
      effectiveTo: r.effectiveTo,
      input: perMTok(r.base.input),
      output: perMTok(r.base.output),
      cacheWrite5m: perMTok(r.base.cacheWrite5m),
      cacheWrite1h: perMTok(r.base.cacheWrite1h),
      cacheRead: perMTok(r.base.cacheRead),
      tier: r.tier
        ? {
            threshold: r.tier.threshold,
            input: perMTok(r.tier.rates.input),
            output: perMTok(r.tier.rates.output),
            cacheWrite5m: perMTok(r.tier.rates.cacheWrite5m),
            cacheWrite1h: perMTok(r.tier.rates.cacheWrite1h),
            cacheRead: perMTok(r.tier.rates.cacheRead),
          }
        : null,
      fastMultiplier: r.fastMultiplier,
      usMultiplier: r.usMultiplier,
      webSearchPerRequest: r.webSearchPerRequest,
    })),
  );
}

async function show(book: PriceBook, file: string | null, json: boolean): Promise<number> {
  const rows = listing(book);
  if (json) {
    console.log(
      JSON.stringify(
        { version: book.version, file, units: 'USD per million tokens; webSearchPerRequest in USD', models: rows },
        null,
        2,
      ),
    );
    return EXIT.ok;
  }
  const { renderSqlTable } = await import('../render/sql-table.js');
  const day = (s: string | null) => (s === null ? '' : s.slice(0, 10));
  console.log(
    renderSqlTable(
      rows.map((r) => ({
        model: r.model,
        from: day(r.effectiveFrom),
        until: day(r.effectiveTo),
        // As text: a table would round 0.025 to two decimals.
        input: String(r.input),
        output: String(r.output),
        '5m write': String(r.cacheWrite5m),
        '1h write': String(r.cacheWrite1h),
        'cache read': String(r.cacheRead),
        tier: r.tier ? `>${r.tier.threshold.toLocaleString('en-US')}: ${r.tier.input}/${r.tier.output}` : '',
        fast: r.fastMultiplier === 1 ? '' : `${r.fastMultiplier}x`,
        us: r.usMultiplier === 1 ? '' : `${r.usMultiplier}x`,
        'web search': String(r.webSearchPerRequest),
      })),
    ),
  );
  console.log(
    `book ${book.version} (${file ? `shipped + ${file}` : 'shipped with cctap'}); USD per million tokens; tier: prompt tokens above which input/output (and every rate) change`,
  );
  return EXIT.ok;
}

async function update(values: {
  from?: string;
  source?: string;
  prices?: string;
  data?: string;
  'effective-from'?: string;
}): Promise<number> {
  const source = (values.source ?? 'litellm') as SourceName;
  if (!Object.hasOwn(SOURCES, source)) {
    console.error(`cctap prices update: --source must be ${Object.keys(SOURCES).join(' or ')}, got '${values.source}'`);
    return EXIT.usage;
  }
  const effectiveFrom = values['effective-from'];
  if (effectiveFrom !== undefined && !isZonedInstant(effectiveFrom)) {
    console.error(
      `cctap prices update: --effective-from must be an ISO instant with a zone, e.g. 2026-12-01T00:00:00Z, got '${effectiveFrom}'`,
    );
    return EXIT.usage;
  }
  const target = explicitPriceFile(values.prices) ?? DEFAULT_PRICE_FILE;
  // The file is created by the first update; until then the shipped book is what it updates.
  const book = bookOrComplain('prices update', existsSync(target) ? target : null);
  if (!book) return EXIT.usage;
  const from = values.from ?? SOURCES[source];
  let json: unknown;
  try {
    json = await readSource(from);
  } catch (err) {
    if (!(err instanceof PriceSourceError)) throw err;
    console.error(`cctap prices update: ${err.message}`);
    return EXIT.failure;
  }
  const importer = source === 'litellm' ? importLiteLlm : importGenaiPrices;
  const result = importer(book, json, effectiveFrom ? { effectiveFrom } : {});
  if (result.changes.length === 0 && result.unchanged.length === 0) {
    console.error(`cctap prices update: ${from} has no Anthropic prices in ${source} format; nothing written`);
    return EXIT.failure;
  }
  if (result.changes.length === 0) {
    console.log(
      `no changes: ${from} lists ${result.unchanged.length} Anthropic models, all at the prices of book ${book.version}`,
    );
    return EXIT.ok;
  }
  writeUserFile(target, userFileOf(result.book, `${source} ${new Date().toISOString().slice(0, 10)}`));
  const written = loadBook({ file: target });
  for (const c of result.changes) console.log(`${c.kind.padEnd(7)} ${c.key}: ${c.detail}`);
  console.log(
    `${result.changes.length} changes (${result.unchanged.length} models unchanged) written to ${target}: book ${written.version}`,
  );
  const { DEFAULT_DATA_DIR } = await import('@cctap/store/light');
  const running = readLiveInstance(values.data ?? DEFAULT_DATA_DIR);
  const flag = target === DEFAULT_PRICE_FILE ? '' : ` --prices ${target}`;
  console.log(
    running
      ? `'cctap up' is running (pid ${running.pid}) and prices with the book it started with: restart it${flag ? ` with${flag}` : ''} to re-price all stored usage with this one`
      : `apply: the next 'cctap up'${flag} or 'cctap sink'${flag} start re-prices all stored usage (nothing is re-ingested); or now: cctap migrate${flag}`,
  );
  return EXIT.ok;
}

export const command: Command = {
  spec,
  async run(argv) {
    // A bad flag reaches main.ts: one line naming the close flag, exit 2.
    const { values, given, positionals, help } = parseCommandLine(spec, argv);
    if (help) return printHelp(spec);
    if (positionals.length === 1 && positionals[0] === 'update') return update({ ...given, data: values.data });
    if (positionals.length > 0) {
      const close = suggest(positionals[0]!, ['update']);
      console.error(
        `cctap prices: unexpected '${positionals.join(' ')}'${close ? `; did you mean ${close}?` : '; the only sub-command is update.'} Run 'cctap prices --help' for its options.`,
      );
      return EXIT.usage;
    }
    const file = priceFileOf(given.prices);
    const book = bookOrComplain('prices', file);
    return book ? show(book, file, given.json === true) : EXIT.usage;
  },
};
