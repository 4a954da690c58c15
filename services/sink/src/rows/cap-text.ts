/** Bounds on the text a row keeps, so one message never grows a row without limit (cut by the contract's capText). */

/** The largest JSON document (payload, raw input) one row keeps, in UTF-16 units. */
export const RAW_CAP = 256 * 1024;

/** The largest summary or detail text one row keeps. */
export const TEXT_CAP = 16_384;
