/**
 * Snapshots of the analyzer's state: one document per session and one per user baseline (the service keeps
 * them in NATS KV, service/state-store.ts), versioned so that a release reads what an older one wrote.
 *
 *   v2  { version: 2, session: <life cycle, identity, file marks, summary>, detectors: { <name>: <slice> } }
 *       { version: 2, user, tokenRates, errorRates }
 *   v1  (no version) one flat object per session with every detector's fields: snapshot-v1.ts migrates it.
 *
 * A detector added later finds no slice in an older snapshot and starts from its init (Detector.restore).
 */
import { ConfigError } from '@cctap/kit';
import type { AnyDetector, DetectorContext } from '../detectors/detector.js';
import type { UserBaseline } from './baselines.js';
import { slicesOf, type Session } from './session.js';
import { decodeState, encodeState } from './snapshot-codec.js';
import { migrateSessionV1 } from './snapshot-v1.js';

export const SNAPSHOT_VERSION = 2;

export type SessionCore = Omit<Session, 'slices'>;

export interface SessionSnapshot {
  version: typeof SNAPSHOT_VERSION;
  session: SessionCore;
  detectors: Record<string, unknown>;
}

export function encodeSession(s: Session, detectors: readonly AnyDetector[]): string {
  const { slices, ...session } = s;
  const doc: SessionSnapshot = {
    version: SNAPSHOT_VERSION,
    session,
    detectors: Object.fromEntries(detectors.map((d) => [d.name, d.snapshot(slices[d.name])])),
  };
  return encodeState(doc);
}

export function decodeSession(text: string, detectors: readonly AnyDetector[], ctx: DetectorContext): Session {
  const raw = decodeState<{ version?: unknown }>(text);
  if (raw.version !== undefined) checkVersion(raw.version);
  const doc = raw.version === undefined ? migrateSessionV1(raw as Record<string, unknown>) : (raw as SessionSnapshot);
  const saved = doc.detectors;
  return {
    ...doc.session,
    slices: slicesOf(detectors, (i) => {
      const d = detectors[i]!;
      return d.restore(Object.hasOwn(saved, d.name) ? saved[d.name] : undefined, ctx);
    }),
  };
}

export function encodeBaseline(user: string, b: UserBaseline): string {
  return encodeState({ version: SNAPSHOT_VERSION, user, tokenRates: b.tokenRates, errorRates: b.errorRates });
}

/** v1 baselines had the same fields and no version. */
export function decodeBaseline(text: string): { user: string } & UserBaseline {
  const raw = decodeState<{ version?: unknown; user: string } & UserBaseline>(text);
  if (raw.version !== undefined) checkVersion(raw.version);
  return { user: raw.user, tokenRates: raw.tokenRates, errorRates: raw.errorRates };
}

/** A newer release's state: a ConfigError, which the command prints as one line (exit 1). */
function checkVersion(version: unknown): void {
  if (version !== SNAPSHOT_VERSION)
    throw new ConfigError(
      `analyzer state of version ${String(version)}: this release reads versions 1 to ${SNAPSHOT_VERSION}; run the release that wrote it, or empty the analyzer bucket`,
    );
}
