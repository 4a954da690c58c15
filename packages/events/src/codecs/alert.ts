/** The alert stream codec (alerter -> `cctap.alerts.<severity>.<rule>` -> sink): one notification per message. */
import { alertSchema, type Alert } from '../alert.js';
import { checkedAgainst, DecodeError, encodeJson, parseObject, utf8Text } from './json.js';
import { decodeShared } from './shared-decode.js';

export function encodeAlert(a: Alert): Uint8Array {
  return encodeJson(a);
}

/** An alert notification from the alerter (a stage of this pipeline): typed, no schema check. */
export function decodeTrustedAlert(bytes: Uint8Array): Alert {
  return decodeShared(bytes, (text) => {
    const doc = parseObject('alert', text);
    if (typeof doc.id !== 'string' || typeof doc.rule !== 'string')
      throw new DecodeError('alert', 'not an alert: expected an id and a rule');
    return doc as unknown as Alert;
  });
}

/** An alert notification from an untrusted source: it must match the contract. */
export function decodeCheckedAlert(bytes: Uint8Array): Alert {
  return checkedAgainst('alert', alertSchema, parseObject('alert', utf8Text(bytes)));
}
