import type { Message } from '@padmesh/protocol';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';

/** What a test client does with a server message; it applies remote changes with itself as origin. */
export interface ProtocolClient {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  synced: boolean;
  acked: number;
  /** Sends an update-bearing message (counted for `saved {seq}`). */
  sendCounted(m: Message): void;
}

/** The client side of the y-websocket protocol plus padmesh's `saved`, shared by the raw and simulated clients. */
export function handleServerMessage(c: ProtocolClient, m: Message): void {
  switch (m.type) {
    case 'sync-step1':
      c.sendCounted({ type: 'sync-step2', update: Y.encodeStateAsUpdate(c.doc, m.stateVector) });
      return;
    case 'sync-step2':
      Y.applyUpdate(c.doc, m.update, c);
      c.synced = true;
      return;
    case 'update':
      Y.applyUpdate(c.doc, m.update, c);
      return;
    case 'awareness':
      awarenessProtocol.applyAwarenessUpdate(c.awareness, m.update, c);
      return;
    case 'saved':
      c.acked = m.seq;
      return;
    default:
      return;
  }
}
