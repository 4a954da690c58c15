/**
 * One session as the engine holds it: who it is, where it stands in its life cycle (session-lifecycle.ts),
 * what has been applied (stream sequence, file marks), its summary bookkeeping, and each detector's own
 * state (`slices`, by detector name: detectors/detector.ts). Plain data (Maps, numbers) so a snapshot is one
 * JSON document per session (snapshot.ts). Timestamps are epoch ms of event time unless named `…Ms` (clock
 * time).
 */
import type { FileMarks } from './file-marks.js';

export interface SessionIdentity {
  host: string;
  user: string;
  sessionId: string;
  project: string;
  gitBranch: string;
  cwd: string;
  ccVersion: string;
}

export type SessionStatus = 'active' | 'idle' | 'ended';

export interface Session extends SessionIdentity {
  key: string;
  firstEventId: string;
  startTs: number;
  lastActivityTs: number;
  lastActivityEventId: string;
  lastArrivalMs: number;
  status: SessionStatus;
  endedAtMs: number | null;
  /** Highest stream sequence applied to this session (redeliveries at or below it are skipped). */
  appliedSeq: number;
  fileOffsets: FileMarks;

  summaryRevision: number;
  summaryDirty: boolean;
  lastSummaryAtMs: number;

  /** Each detector's state, by detector name. */
  slices: Slices;
}

/**
 * Detector name -> its state. A plain object, filled in the detectors' order (so every session shares one
 * object shape): a Map would cost several hundred bytes more per session, and a server holds 10,000 of them.
 */
export type Slices = Record<string, unknown>;

/** Each detector's slice, from `make` (a fresh one, or one restored from a snapshot). */
export function slicesOf(detectors: readonly { name: string }[], make: (i: number) => unknown): Slices {
  const slices: Slices = {};
  detectors.forEach((d, i) => (slices[d.name] = make(i)));
  return slices;
}

export function sessionKey(host: string, sessionId: string): string {
  return `${host}\u001f${sessionId}`;
}
