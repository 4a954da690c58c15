/**
 * Reads a public price source for `cctap prices update`: an http(s) URL or a local file. A machine without
 * internet gets one line saying so (and how to import a downloaded copy), never a stack trace.
 */
import { readFileSync } from 'node:fs';

export const SOURCES = {
  litellm: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
  'genai-prices': 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json',
} as const;
export type SourceName = keyof typeof SOURCES;

export class PriceSourceError extends Error {
  override readonly name = 'PriceSourceError';
}

const NO_NETWORK = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The source's JSON. */
export async function readSource(from: string, timeoutMs = 30_000): Promise<unknown> {
  let text: string;
  if (/^https?:\/\//i.test(from)) {
    let res: Response;
    try {
      res = await fetch(from, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const code = (err as Error).name === 'TimeoutError' ? 'ETIMEDOUT' : causeCode(err);
      const why =
        code && NO_NETWORK.has(code)
          ? `no connection (${code}): this machine cannot reach the internet or that host`
          : (err as Error).message;
      throw new PriceSourceError(`cannot fetch ${from}: ${why}; download the file elsewhere and use --from FILE`);
    }
    if (!res.ok) throw new PriceSourceError(`cannot fetch ${from}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    text = await res.text();
  } else {
    try {
      text = readFileSync(from, 'utf8');
    } catch (err) {
      throw new PriceSourceError(
        `cannot read ${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PriceSourceError(`${from} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}
