/** The wall-clock source is the kit's (injected so tests and replays control idle, end and waiting timeouts). */
export { ManualClock, systemClock, type Clock } from '@cctap/kit';
