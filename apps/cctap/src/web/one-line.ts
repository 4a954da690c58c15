/**
 * Text from a transcript as one short line for the page: terminal escapes and control characters removed
 * (command output echoed into prompts carries colors), whitespace collapsed, cut at `max` characters.
 */
// eslint-disable-next-line no-control-regex -- terminal escapes are what is removed
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROLS = /[\u0000-\u001f\u007f]+/g;

export function oneLine(s: unknown, max: number): string {
  const one = String(s ?? '')
    .replace(ESCAPES, '')
    .replace(CONTROLS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
