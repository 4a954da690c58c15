export { generateCorpus, type CorpusResult } from './generate-corpus.js';
export type { ExpectedCorpus, UsageTotals } from './expected-accounting.js';
export { projectSlug } from './projects.js';
export { parseSize, InvalidSizeError } from './size.js';
