/**
 * Seeds every fast-check property of the calling test file with one seed (CCTAP_TEST_SEED repeats a run). A
 * failed property already names its seed and path; a test that fails outside fc.assert (a check on what the
 * properties counted) prints the seed too.
 */
import fc from 'fast-check';
import { beforeEach } from 'vitest';
import { seedNote, testSeed } from '@cctap/events/testing';

export function seedProperties(): number {
  const seed = testSeed();
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(seedNote(seed, 'these properties')));
  });
  return seed;
}
