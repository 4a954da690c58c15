/** Bounds on the text a row keeps, so one message never grows a row without limit. */

/** The largest JSON document (payload, raw input) one row keeps, in UTF-16 units. */
export const RAW_CAP = 256 * 1024;

/** The largest summary or detail text one row keeps. */
export const TEXT_CAP = 16_384;

/** Cuts a string to `max` UTF-16 units with the contract's marker. */
export function capText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[truncated ${s.length} chars]`;
}
