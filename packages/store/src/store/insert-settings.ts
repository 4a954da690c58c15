/**
 * The settings of every insert, whatever the store. A JSON object given for a String column is stored as its
 * JSON text, exactly as JSON.stringify wrote it inside the row: a row can carry an event's payload as the
 * object, instead of a string of JSON that would be escaped a second time inside the row's own JSON.
 */
export const INSERT_SETTINGS = { input_format_json_read_objects_as_strings: 1 } as const;
