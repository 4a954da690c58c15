/**
 * The detectors, in the order they see each event and add to the output (detector.ts). A new detector is
 * one module and one line here; its slice starts empty in sessions restored from older snapshots.
 */
import { anomaly } from './anomaly.js';
import { context } from './context.js';
import { denialsRefusals } from './denials-refusals.js';
import type { AnyDetector } from './detector.js';
import { errorBurst } from './error-burst.js';
import { loops } from './loops.js';
import { sequence } from './sequence.js';
import { subagents } from './subagents.js';
import { toolSpans } from './tool-spans.js';
import { turns } from './turns.js';
import { usage } from './usage.js';

export const DETECTORS: readonly AnyDetector[] = [
  subagents,
  turns,
  usage,
  context,
  toolSpans,
  loops,
  errorBurst,
  denialsRefusals,
  sequence,
  anomaly,
];
