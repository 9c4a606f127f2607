import type { Bus, BusMessage } from '../cluster/bus/types.js';
import type { Logger } from '../log.js';
import type { Rooms } from '../room/rooms.js';
import type { Storage } from '../storage/types.js';
import type { AccessChange } from './credential.js';
import type { PadAccess } from './pad-access.js';
import { CloseCode } from '@padmesh/protocol';

/** The bus channel every node listens on for access changes; no pad id can name it (':' is not allowed). */
export const ACCESS_CHANNEL = ':access';

const CHANGES: readonly AccessChange[] = ['password', 'read-only', 'owner', 'expiry', 'deleted'];

export function encodeAccessChange(pad: string, change: AccessChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ pad, change }));
}

/** Throws on anything malformed (the caller logs and drops it). */
export function decodeAccessChange(data: Uint8Array): { pad: string; change: AccessChange } {
  const v = JSON.parse(new TextDecoder().decode(data)) as { pad?: unknown; change?: unknown };
  if (typeof v.pad !== 'string' || !CHANGES.includes(v.change as AccessChange)) throw new Error('bad access change');
  return { pad: v.pad, change: v.change as AccessChange };
}

export interface LiveAccessDeps {
  access: PadAccess;
  rooms: Rooms;
  storage: Storage;
  log: Logger;
  /** Absent on a single node: changes are applied locally only. */
  bus?: Bus | undefined;
  nodeId: string;
}

/**
 * Access is checked on every change of access, not only at connect (OW8). The node that
 * makes a change publishes it on the bus and applies it itself; every node then re-reads
 * the pad's settings and closes the sockets on it that no longer qualify: 4403 (password),
 * 4406 (read-only link rotated or revoked), 4410 (deleted or expired; the room is dropped
 * without writing anything back, then the pad's data is deleted again after its last
 * queued write, so no straggling write of this node survives the deletion).
 */
export class LiveAccess {
  private changes = 0;

  constructor(private readonly deps: LiveAccessDeps) {}

  /** Listens for other nodes' changes. */
  async start(): Promise<void> {
    await this.deps.bus?.subscribe(ACCESS_CHANNEL, (m) => this.fromBus(m));
  }

  /**
   * Counts every change this node has heard of. A socket admitted before a change but not
   * yet in its room missed the re-check; the transport compares this before and after.
   */
  get epoch(): number {
    return this.changes;
  }

  /** A change made here: tell every node, then apply it on this one. */
  async changed(pad: string, change: AccessChange): Promise<void> {
    this.deps.bus?.publish(ACCESS_CHANNEL, {
      kind: 'access',
      from: this.deps.nodeId,
      data: encodeAccessChange(pad, change),
    });
    await this.apply(pad, change);
  }

  /** Re-checks every socket of `pad` on this node against its current settings. */
  async apply(pad: string, change: AccessChange | 'recheck'): Promise<void> {
    this.changes++;
    const room = this.deps.rooms.peek(pad);
    if (!room) return;
    const { access } = this.deps;
    const meta = await access.meta(pad);
    if (access.isGone(meta)) {
      this.deps.log.info({ pad, change }, 'pad deleted; dropping it unsaved');
      await room.discard(CloseCode.PadDeleted, 'This pad was deleted');
      await this.deps.storage.deletePad(pad);
      return;
    }
    for (const conn of room.connections()) {
      const refusal = access.refusal(pad, meta, conn.credential);
      if (refusal) conn.close(...refusal);
    }
  }

  private fromBus(m: BusMessage): void {
    if (m.kind !== 'access' || m.from === this.deps.nodeId) return;
    let parsed;
    try {
      parsed = decodeAccessChange(m.data);
    } catch (err) {
      this.deps.log.warn({ err, from: m.from }, 'ignoring bad access change from a peer');
      return;
    }
    this.apply(parsed.pad, parsed.change).catch((err: unknown) =>
      this.deps.log.error({ err, pad: parsed.pad }, 'could not apply an access change'),
    );
  }
}
