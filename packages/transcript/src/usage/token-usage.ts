/** Token counts of one assistant line, as the contract carries them. */
import type { PayloadOf } from '@cctap/events';

export type TokenUsage = PayloadOf<'assistant'>['usage'];

/** The model Claude Code writes on lines it made itself (no API call): never usage, never priced. */
export const SYNTHETIC_MODEL = '<synthetic>';
