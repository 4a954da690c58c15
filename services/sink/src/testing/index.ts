/** `@cctap/sink/testing`: sample contract events shaped like the collector's output, for tests of rows and reports. */
export { assistant, type AssistantSample } from './sample-events.js';
