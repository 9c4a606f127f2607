import * as awarenessProtocol from 'y-protocols/awareness';
import type { Clock, Timer } from '../clock.js';

/** How often presence is checked for states nobody renewed: y-protocols' own period (3 s). */
export const EXPIRY_CHECK_MS = Math.floor(awarenessProtocol.outdatedTimeout / 10);

/**
 * Drops presence states their client stopped renewing (y-protocols' rule: 30 s without an
 * update), for every open pad of the node from one timer. y-protocols gives each Awareness an
 * interval of its own, so a node with 1,000 open pads woke ~330 times a second to find nothing
 * to do: on an idle cluster node that was most of its CPU (issue 19, idle pads). The pads are
 * checked in the same way, with the same origin ('timeout') on the removal, so what a room
 * does with it is unchanged; a pad nobody shows presence on costs one size check per period.
 */
export class PresenceExpiry {
  private readonly watched = new Set<awarenessProtocol.Awareness>();
  private timer: Timer | null = null;

  constructor(private readonly clock: Clock) {}

  /** Takes over `awareness`'s expiry (its own interval stops) until the returned function is called. */
  watch(awareness: awarenessProtocol.Awareness): () => void {
    clearInterval(awareness._checkInterval);
    this.watched.add(awareness);
    this.timer ??= this.clock.every(EXPIRY_CHECK_MS, () => this.sweep());
    return () => {
      this.watched.delete(awareness);
      if (this.watched.size > 0) return;
      this.timer?.cancel();
      this.timer = null;
    };
  }

  /** Removes every outdated remote state, as y-protocols' own interval would. */
  sweep(): void {
    // y-protocols stamps `lastUpdated` with wall time (lib0 `getUnixTime`), so it is read here too.
    const now = Date.now();
    for (const a of this.watched) {
      if (a.states.size === 0) continue;
      const outdated: number[] = [];
      for (const [client, meta] of a.meta)
        if (
          client !== a.clientID &&
          now - meta.lastUpdated >= awarenessProtocol.outdatedTimeout &&
          a.states.has(client)
        )
          outdated.push(client);
      if (outdated.length > 0) awarenessProtocol.removeAwarenessStates(a, outdated, 'timeout');
    }
  }
}
