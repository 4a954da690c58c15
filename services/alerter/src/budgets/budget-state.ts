/**
 * Running spend of one budget, for one subject, in one period: what the alerter keeps across restarts, in the
 * KV bucket `budgets` on NATS (created by `cctap provision`), in `<data>/alerter/budgets.jsonl` under
 * `cctap up` on the in-process bus, in memory otherwise.
 *
 * A response is counted once, at its largest line (the max rule of @cctap/events response-rule.ts): the
 * responses counted most recently are kept by key, so a line redelivered after a restart, or a later line of
 * the same response, changes nothing or only the difference. Older keys are let go (a period can see hundreds
 * of thousands of responses); a re-send of a whole history (`collect --reset`) may then count a response
 * twice. `cctap report budgets` computes from the store and is exact.
 */
import { join } from 'node:path';
import { Kvm, type KV } from '@nats-io/kv';
import type { Topology } from '@cctap/events';
import { CasKv, hashedKey, UNFENCED, type WriteFence } from '../state/cas-kv.js';
import { JournalFile } from '../state/journal-file.js';
import { MissingBucketError } from '../state/kv-stores.js';

/** Response keys remembered per period state (about 40 bytes each). */
export const RECENT_RESPONSES = 2000;

export interface BudgetPeriodState {
  /** budget, subject and period start: one state per combination. */
  key: string;
  budget: string;
  subject: string;
  periodStart: number;
  periodEnd: number;
  /** USD counted in the period. */
  spent: number;
  /** Recently counted responses by hashed key: [usd, token total, ts ms], oldest first. */
  responses: Record<string, [number, number, number]>;
  /** What was told this period: `50%`, `80%`, `100%`, `forecast`. */
  told: string[];
}

export interface BudgetStateStore {
  load(): Promise<BudgetPeriodState[]>;
  put(state: BudgetPeriodState): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryBudgetStateStore implements BudgetStateStore {
  readonly states = new Map<string, BudgetPeriodState>();
  async load(): Promise<BudgetPeriodState[]> {
    return [...this.states.values()].map((s) => structuredClone(s));
  }
  async put(state: BudgetPeriodState): Promise<void> {
    this.states.set(state.key, structuredClone(state));
  }
  async delete(key: string): Promise<void> {
    this.states.delete(key);
  }
}

export class FileBudgetStateStore implements BudgetStateStore {
  readonly #file: JournalFile<BudgetPeriodState>;
  constructor(path: string) {
    this.#file = new JournalFile(path);
  }
  load(): Promise<BudgetPeriodState[]> {
    return this.#file.values();
  }
  put(state: BudgetPeriodState): Promise<void> {
    return this.#file.put(state.key, state);
  }
  delete(key: string): Promise<void> {
    return this.#file.delete(key);
  }
  close(): Promise<void> {
    return this.#file.close();
  }
}

/** The budget states kept in `dir` (the alert files' directory of `cctap up`). */
export const openFileBudgetStore = (dir: string): FileBudgetStateStore =>
  new FileBudgetStateStore(join(dir, 'budgets.jsonl'));

/** KV keys allow only `[-/_=.a-zA-Z0-9]`; subjects are arbitrary (a project path). */
const KEY_PREFIX = 'b_';

/**
 * Written by compare-and-swap under the alerter lease's fence, as the alert records are (state/cas-kv.ts): a
 * replica that lost the lease cannot overwrite the totals of the one that took over. A damaged entry is
 * skipped: its budget starts the period again rather than the alerter refusing to start.
 */
export class KvBudgetStateStore implements BudgetStateStore {
  readonly #cas: CasKv;
  constructor(kv: KV, fence: WriteFence = UNFENCED, onConflict?: () => void) {
    this.#cas = new CasKv(kv, fence, onConflict);
  }
  async load(): Promise<BudgetPeriodState[]> {
    const entries = await this.#cas.readAll((k) => k.startsWith(KEY_PREFIX));
    return entries.map((e) => e.value as BudgetPeriodState);
  }
  put(state: BudgetPeriodState): Promise<void> {
    return this.#cas.put(hashedKey(KEY_PREFIX, state.key), state);
  }
  delete(key: string): Promise<void> {
    return this.#cas.delete(hashedKey(KEY_PREFIX, key));
  }
}

/** Opens the `budgets` bucket of a topology (created by `cctap provision`). */
export async function openKvBudgetStore(
  nc: ConstructorParameters<typeof Kvm>[0],
  t: Topology,
  o: { fence?: WriteFence; onConflict?: () => void } = {},
): Promise<KvBudgetStateStore> {
  try {
    return new KvBudgetStateStore(await new Kvm(nc).open(t.bucket('budgets')), o.fence, o.onConflict);
  } catch (err) {
    throw new MissingBucketError(
      `KV bucket ${t.bucket('budgets')} is not there (run \`cctap provision\`): ${(err as Error).message}`,
    );
  }
}
