/**
 * `npm run docs:flags`: writes every command's flag table into README.md from the commands' declarations.
 * `--check` writes nothing and exits 1, naming each command whose table drifted (or has no markers); without
 * it, a command that has no markers yet gets its table added at the end of the file.
 * `--readme FILE` works on another file (the test's copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allSpecs, FIX_COMMAND, withFlagTables } from './flag-tables.js';

const { values } = parseArgs({ options: { check: { type: 'boolean' }, readme: { type: 'string' } } });
const file = values.readme ?? fileURLToPath(new URL('../../../../README.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const { text, drifted, missing } = withFlagTables(before, await allSpecs());
const problems = [
  ...drifted.map((c) => `the flag table of 'cctap ${c}' differs from its declaration`),
  ...missing.map((c) => `no flag table of 'cctap ${c}' (markers <!-- flags:${c} --> … <!-- /flags:${c} -->)`),
];
if (values.check) {
  for (const p of problems) console.error(`${file}: ${p}; run '${FIX_COMMAND}'`);
  process.exitCode = problems.length > 0 ? 1 : 0;
} else {
  if (text !== before) writeFileSync(file, text);
  for (const c of drifted) console.log(`updated the flag table of 'cctap ${c}'`);
  for (const c of missing)
    console.log(`added the flag table of 'cctap ${c}' at the end of ${file}; move it where it belongs`);
}
