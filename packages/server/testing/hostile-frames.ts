import { encodeMessage } from '@padmesh/protocol';
import * as encoding from 'lib0/encoding';

/** An awareness frame written by hand, as a hostile (or old) client could: any ids, clocks and states. */
export function awarenessFrame(entries: { id: number; clock: number; state: unknown }[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.id);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, JSON.stringify(x.state));
  }
  return encodeMessage({ type: 'awareness', update: encoding.toUint8Array(e) });
}
