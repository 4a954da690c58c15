/**
 * The seed of a randomized test (property tests, chaos kill schedules): CCTAP_TEST_SEED when set, so a failed
 * run can be repeated exactly; otherwise a fresh one. Every randomized suite prints `seedNote(seed)`.
 */
const TEST_SEED_ENV = 'CCTAP_TEST_SEED';

export function testSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[TEST_SEED_ENV];
  if (raw === undefined || raw.trim() === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`${TEST_SEED_ENV} must be an integer, got "${raw}"`);
  return seed;
}

/** One line naming the seed and how to repeat the run with it. */
export function seedNote(seed: number, what = 'this run'): string {
  return `seed ${seed}: ${TEST_SEED_ENV}=${seed} repeats ${what}`;
}
