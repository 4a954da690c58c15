/** The invalid stream codec (validator -> `cctap.invalid.<host>` -> sink): one rejection record per message. */
import { invalidRecordSchema, type InvalidRecord } from '../invalid.js';
import { checkedAgainst, DecodeError, encodeJson, parseObject, utf8Text } from './json.js';
import { decodeShared } from './shared-decode.js';

export function encodeInvalid(rec: InvalidRecord): Uint8Array {
  return encodeJson(rec);
}

/** A rejection record from the validator (a stage of this pipeline): typed, no schema check. */
export function decodeTrustedInvalid(bytes: Uint8Array): InvalidRecord {
  return decodeShared(bytes, (text) => {
    const doc = parseObject('invalid', text);
    if (typeof doc.reason !== 'string') throw new DecodeError('invalid', 'not a rejection record: expected a reason');
    return doc as unknown as InvalidRecord;
  });
}

/** A rejection record from an untrusted source: it must match the contract. */
export function decodeCheckedInvalid(bytes: Uint8Array): InvalidRecord {
  return checkedAgainst('invalid', invalidRecordSchema, parseObject('invalid', utf8Text(bytes)));
}
