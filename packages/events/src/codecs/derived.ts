/** The derived stream codec (analyzer -> `cctap.derived.<kind>.<host>` -> alerter, sink): one derived event per message. */
import { derivedEventSchema, type DerivedEvent } from '../derived.js';
import { checkedAgainst, DecodeError, encodeJson, parseObject, utf8Text } from './json.js';
import { decodeShared } from './shared-decode.js';

export function encodeDerived(d: DerivedEvent): Uint8Array {
  return encodeJson(d);
}

/** A derived event from the analyzer (a stage of this pipeline): typed, no schema check. */
export function decodeTrustedDerived(bytes: Uint8Array): DerivedEvent {
  return decodeShared(bytes, (text) => {
    const doc = parseObject('derived', text);
    if (typeof doc.kind !== 'string' || typeof doc.payload !== 'object' || doc.payload === null)
      throw new DecodeError('derived', 'not a derived event: expected a kind and a payload object');
    return doc as unknown as DerivedEvent;
  });
}

/** A derived event from an untrusted source: it must match the contract. */
export function decodeCheckedDerived(bytes: Uint8Array): DerivedEvent {
  return checkedAgainst('derived', derivedEventSchema, parseObject('derived', utf8Text(bytes)));
}
