import type { DenialKind } from '@cctap/events';
import type { TokenTotals } from './token-totals.js';

/** Things the service turns into metrics; all optional. */
export interface EngineObserver {
  usage?(model: string, delta: TokenTotals, usd: number, session: { project: string; user: string }): void;
  /** A response (counted once) whose model, or advisor model, the price book does not know. */
  unpriced?(model: string): void;
  /** A tool span reported for the first time (an orphan later answered is not counted twice). */
  toolSpan?(tool: string, isError: boolean, orphaned: boolean): void;
  evicted?(): void;
  duplicate?(): void;
  /** A denied tool call (`denial` event). */
  denial?(kind: DenialKind): void;
  /** A model refusal answered by a fallback model (`refusal` event). */
  refusal?(originalModel: string, fallbackModel: string): void;
}
