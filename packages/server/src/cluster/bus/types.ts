/** What nodes tell each other about one pad. */
export type BusKind = 'update' | 'awareness' | 'state' | 'access' | 'version';

export interface BusMessage {
  kind: BusKind;
  /** NODE_ID of the sender; a node ignores its own messages. */
  from: string;
  /**
   * update: a Yjs update; awareness: an awareness update; state: the sender's state vector
   * and delete-set digest (anti-entropy: whoever has more answers with the difference);
   * access: a pad whose access changed (`{pad, change}` as JSON, on the `:access` channel,
   * see access/live-access.ts), so every node re-checks its sockets on that pad (OW8);
   * version: the id (UTF-8) of a version the sender just recorded, so every node tells its
   * `padmesh=2` clients (V7).
   */
  data: Uint8Array;
}

/**
 * Cross-node replication. Delivery is best effort and in order per pad; anything lost is
 * repaired by the periodic state exchange, so a lost message never means a lost edit.
 */
export interface Bus {
  subscribe(pad: string, onMessage: (m: BusMessage) => void): Promise<void>;
  unsubscribe(pad: string): Promise<void>;
  publish(pad: string, m: BusMessage): void;
  /** False while the connection is down (edits keep flowing locally meanwhile). */
  readonly healthy: boolean;
  /** Calls `fn` after every reconnect, so pads can run anti-entropy at once; returns a function that stops it. */
  onReconnect(fn: () => void): () => void;
  close(): Promise<void>;
}
