/**
 * Model ids as ccusage's tables print them: `claude-opus-4-8` -> `opus-4-8`, `claude-sonnet-4-20250514` ->
 * `sonnet-4`, `claude-3-5-haiku-20241022` -> `haiku-3-5`, `…-fast` kept as a suffix; a provider prefix
 * (`anthropic/`, `anthropic.`) dropped; anything else as written. JSON keeps the full ids.
 */
const PROVIDER = /^anthropic[./](claude-.+)$/;
const LEGACY = /^claude-(\d+)-(\d+)-([a-z]+)-\d{8}$/;
const FAMILY = /^claude-([a-z]+)-([\d.-]+?)(?:-\d{8})?(-fast)?$/;

export function shortModelName(model: string): string {
  const provider = PROVIDER.exec(model);
  if (provider) return shortModelName(provider[1]!);
  const legacy = LEGACY.exec(model);
  if (legacy) return `${legacy[3]}-${legacy[1]}-${legacy[2]}`;
  const family = FAMILY.exec(model);
  if (family) return `${family[1]}-${family[2]}${family[3] ?? ''}`;
  return model;
}

/** Unique short names, sorted, one per line with ccusage's `- ` bullet. */
export function modelsCell(models: readonly string[]): string {
  return [...new Set(models.map(shortModelName))]
    .sort()
    .map((m) => `- ${m}`)
    .join('\n');
}
