import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeResultsBlock } from '../../bench/support/results-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-bench-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeResultsBlock (docs/benchmarks.md)', () => {
  it('replaces only its own block and keeps notes and other sections', () => {
    const doc = join(dir, 'benchmarks.md');
    writeFileSync(doc, '# B\n\n## Normalizer\n\n<!-- bench:normalize -->\nold\n<!-- /bench:normalize -->\n\nmy notes\n\n## Collector\n\nkept\n');
    writeResultsBlock(doc, 'normalize', 'Normalizer', 'new table\n');
    expect(readFileSync(doc, 'utf8')).toBe(
      '# B\n\n## Normalizer\n\n<!-- bench:normalize -->\nnew table\n<!-- /bench:normalize -->\n\nmy notes\n\n## Collector\n\nkept\n',
    );
  });

  it('appends a section when the markers are missing', () => {
    const doc = join(dir, 'fresh.md');
    writeFileSync(doc, '# B\n');
    writeResultsBlock(doc, 'normalize', 'Normalizer', 'numbers');
    expect(readFileSync(doc, 'utf8')).toBe('# B\n\n## Normalizer\n\n<!-- bench:normalize -->\nnumbers\n<!-- /bench:normalize -->\n');
  });
});
