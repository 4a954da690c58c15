/** Token usage for tests: zeros except what is given. */
import type { TokenUsage } from '../price/price-response.js';

export function usage(u: Partial<TokenUsage> = {}): TokenUsage {
  return {
    input: 0,
    output: 0,
    cacheCreation: 0,
    cacheRead: 0,
    cacheCreation5m: 0,
    cacheCreation1h: 0,
    webSearchRequests: 0,
    webFetchRequests: 0,
    ...u,
  };
}
