/**
 * What every detector is: a module that keeps its own slice of a session's state and turns the session's
 * events (and the passing of time) into derived events. The engine holds the list (detectors/index.ts), gives
 * each detector its slice, and calls the hooks in list order, so that list order is the order in which
 * detectors add to `out` for the same input. Adding a detector is one module and one line in that list.
 *
 * A detector reads another's slice through `sliceOf(session, other)` when it needs a fact that one owns
 * (the turns detector asks the tool-span detector whether a main-lane call is pending); it changes another's
 * slice only through that detector's exported functions.
 */
import type { CctapEvent, DerivedEvent } from '@cctap/events';
import type { PriceBook } from '@cctap/prices';
import type { AnalyzerConfig } from '../config.js';
import type { Baselines } from '../core/baselines.js';
import type { EngineObserver } from '../core/observer.js';
import type { Session } from '../core/session.js';

export interface DetectorContext {
  readonly config: AnalyzerConfig;
  readonly observer: EngineObserver;
  /** Cost is computed here from the central book (DESIGN section 7), never read from the host. */
  readonly prices: PriceBook;
  readonly baselines: Baselines;
  /** Clock time of the current call. */
  readonly now: number;
}

/** One applied event with what every detector derives from its envelope. */
export interface SessionEvent {
  ev: CctapEvent;
  /** Event time, epoch ms. */
  ts: number;
  /** `main`, an agent id, or `sidechain` (an inline subagent): sequence statistics run per lane. */
  lane: string;
  main: boolean;
}

export type DerivedOut = DerivedEvent[];

export interface Detector<S> {
  /** Its key in the session's slices and in snapshots: never renamed once released. */
  readonly name: string;
  init(ctx: DetectorContext): S;
  onEvent?(s: Session, state: S, e: SessionEvent, ctx: DetectorContext, out: DerivedOut): void;
  /** A settled session (no arrival for settleMs, or a settled tick) that is not ended: timeouts of its own. */
  onTick?(s: Session, state: S, ctx: DetectorContext, out: DerivedOut): void;
  /** The session goes idle (before session.idle). */
  onIdle?(s: Session, state: S, ctx: DetectorContext, out: DerivedOut): void;
  /** The session ends (before session.end): wind up what is open. */
  onEnd?(s: Session, state: S, ctx: DetectorContext, out: DerivedOut): void;
  /** Before a periodic summary, and after session.end with `final`: verdicts over the whole session. */
  onReview?(s: Session, state: S, final: boolean, ctx: DetectorContext, out: DerivedOut): void;
  /** The session ended and its final summary is out: release what only a live session needs. */
  onCompact?(state: S): void;
  /** JSON-ready form of the slice (Maps and Sets allowed: snapshot-codec.ts). */
  snapshot(state: S): unknown;
  /** The slice back from `snapshot`'s form; `undefined` (a snapshot older than the detector) = init. */
  restore(saved: unknown, ctx: DetectorContext): S;
}

/** A detector of any slice type, as the list holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDetector = Detector<any>;

export function sliceOf<S>(s: Session, d: Detector<S>): S {
  return s.slices[d.name] as S;
}
