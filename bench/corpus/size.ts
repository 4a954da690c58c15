/** Parses a corpus size such as `200MB`, `1.5GiB`, `750kB` or a plain byte count. MB = 10^6, MiB = 2^20. */
export class InvalidSizeError extends Error {
  override readonly name = 'InvalidSizeError';
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
};

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new InvalidSizeError(
      `invalid size "${text}": expected a number with an optional unit (B, kB, MB, GB, KiB, MiB, GiB)`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}
