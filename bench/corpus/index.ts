export { generateCorpus, CorpusOptionsError, type CorpusOptions, type CorpusResult } from './generate-corpus.js';
export { USAGE_RULE, type ExpectedCorpus, type FileEntry, type UsageTotals } from './expected-accounting.js';
export { projectSlug } from './projects.js';
export { parseSize, InvalidSizeError } from './size.js';
