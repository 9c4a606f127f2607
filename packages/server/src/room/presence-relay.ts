import { MessageType } from '@padmesh/protocol';
import * as encoding from 'lib0/encoding';
import type { Awareness } from 'y-protocols/awareness';
import type { Clock, Timer } from '../clock.js';
import type { Conn } from '../transport/socket.js';
import { PRESENCE_DEPARTED_KEEP } from './presence-guard.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Presence changes that arrive within this window of a relay are sent together, each client's latest state once (PR9). */
export const AWARENESS_TICK_MS = 16;
/**
 * Presence bytes one pad may write per second, counted as sent: each frame's length times its
 * recipients (PR10). 500 people moving ~50-byte cursors once a second are ~13 MiB/s (bench
 * `cursors`); 256 people with 300-byte states moving 3 times a second would be ~60 MiB/s, and
 * their windows stretch to ~30 ms. Past it, relays wait until the budget allows and then carry
 * only the latest state of whoever changed meanwhile.
 */
export const PRESENCE_PAD_BYTES_PER_SEC = 32 * MiB;
/** What a quiet pad has saved up: a burst this big goes out at once. */
export const PRESENCE_PAD_BURST_BYTES = 8 * MiB;
/**
 * Presence bytes one relay writes in one event-loop turn; the rest of its recipients get the
 * same frames in the next turns, so other pads' edits are read in between (PR10).
 */
export const PRESENCE_TURN_BYTES = 2 * MiB;
/**
 * A connection holding more unsent bytes than this gets no presence frames (PR11): soft state
 * would only pile up behind what it has not read. It is sent the latest state of everyone it
 * missed, removals included, once it has drained below half of this.
 */
export const PRESENCE_BACKLOG_MAX = 1 * MiB;
/** How often connections that fell behind are checked for having drained. */
export const PRESENCE_CATCH_UP_MS = 100;

/** A pad's presence byte budget (PR10); tests pass small ones. */
export interface RelayBudget {
  bytesPerSec: number;
  burstBytes: number;
}

/** One relayed entry, encoded once for every recipient: varuint id, varuint clock, varstring JSON. */
interface Entry {
  id: number;
  bytes: Uint8Array;
}

/**
 * Relays one pad's presence (PR9-PR11). Presence is soft state: a later state of a client
 * supersedes every earlier one, so what is pending is a set of ids, and a relay reads each
 * one's latest state when it goes out. A relay on a quiet pad goes out in the same turn;
 * changes within AWARENESS_TICK_MS of it wait for the next window, and a pad past its byte
 * budget waits longer. Each state is encoded once per relay and the bytes are shared by every
 * recipient; a client never gets its own ids (PR6). A removal is never lost: its clock is kept
 * here from the moment it happens, whatever the guard forgets of departed ids meanwhile.
 */
export class PresenceRelay {
  private readonly pending = new Set<number>();
  /** Removed ids waiting to be relayed, with their clock at removal. */
  private readonly removals = new Map<number, number>();
  /** Connections over PRESENCE_BACKLOG_MAX, with the ids they missed (and the removal clock, if removed). */
  private readonly behind = new Map<Conn, Map<number, number | null>>();
  private window: Timer | null = null;
  /** A relay still being written, over several turns (PRESENCE_TURN_BYTES). */
  private sending: Sending | null = null;
  private catchUp: Timer | null = null;
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly conns: ReadonlySet<Conn>,
    private readonly awareness: Awareness,
    private readonly clock: Clock,
    /** Runs before a relay is written: text goes before presence. */
    private readonly beforeSend: () => void,
    private readonly budget: RelayBudget = {
      bytesPerSec: PRESENCE_PAD_BYTES_PER_SEC,
      burstBytes: PRESENCE_PAD_BURST_BYTES,
    },
  ) {
    this.tokens = budget.burstBytes;
    this.refilledAt = clock.now();
  }

  changed(ids: number[]): void {
    for (const id of ids) {
      this.pending.add(id);
      const clock = this.awareness.meta.get(id)?.clock;
      if (this.awareness.states.has(id) || clock === undefined) this.removals.delete(id);
      else this.removals.set(id, clock);
    }
    if (!this.window) this.tick();
  }

  /** Sends what is pending now if the budget allows. */
  flush(): void {
    if (this.pending.size > 0 && !this.sending && this.wait() === 0) this.relay();
  }

  destroy(): void {
    this.window?.cancel();
    this.catchUp?.cancel();
    this.sending?.next?.cancel();
    this.window = this.catchUp = null;
    this.sending = null;
    this.pending.clear();
    this.removals.clear();
    this.behind.clear();
  }

  /** Relays what is pending if the budget allows, and keeps a window open while anything arrives. */
  private readonly tick = (): void => {
    this.window = null;
    if (this.pending.size === 0) return;
    const wait = this.sending ? AWARENESS_TICK_MS : this.wait();
    if (wait === 0) this.relay();
    this.window = this.clock.after(wait || AWARENESS_TICK_MS, this.tick);
  };

  /** Milliseconds until the budget allows a relay (0: now). A relay may overdraw it; the debt is waited off. */
  private wait(): number {
    const now = this.clock.now();
    const { bytesPerSec, burstBytes } = this.budget;
    this.tokens = Math.min(burstBytes, this.tokens + ((now - this.refilledAt) * bytesPerSec) / 1000);
    this.refilledAt = now;
    return this.tokens > 0 ? 0 : Math.max(1, Math.ceil((-this.tokens * 1000) / bytesPerSec));
  }

  private relay(): void {
    const ids = [...this.pending];
    this.pending.clear();
    this.beforeSend();
    const entries = this.encode(ids, (id) => this.removals.get(id));
    for (const id of ids) this.removals.delete(id);
    if (entries.length === 0) return;
    this.sending = { ids, entries, shared: null, to: [...this.conns], at: 0, next: null };
    this.write();
  }

  /** Writes the relay in progress to its next recipients, at most PRESENCE_TURN_BYTES this turn. */
  private readonly write = (): void => {
    const s = this.sending;
    if (!s) return;
    s.next = null;
    // Paced by the budget, not only sliced: a relay past it reaches its last recipients later
    // instead of taking the node's whole core for as long as it is written.
    const wait = this.wait();
    if (wait > 0) {
      s.next = this.clock.after(wait, this.write);
      return;
    }
    let written = 0;
    while (s.at < s.to.length && written < PRESENCE_TURN_BYTES) {
      const c = s.to[s.at++]!;
      if (!c.isOpen || !this.conns.has(c)) continue;
      if (c.queuedBytes > PRESENCE_BACKLOG_MAX || this.behind.has(c)) {
        this.fellBehind(c, s.ids);
        continue;
      }
      const own = c.awarenessIds.size > 0 && s.ids.some((id) => c.awarenessIds.has(id));
      const frame = own ? frameOf(s.entries, c) : (s.shared ??= frameOf(s.entries, null));
      if (!frame) continue;
      c.send(frame);
      written += frame.length;
    }
    this.spend(written);
    if (s.at < s.to.length) s.next = this.clock.after(0, this.write);
    else this.sending = null;
  };

  private spend(bytes: number): void {
    this.tokens -= bytes;
  }

  /** Entries for `ids` as they are now: a present id's latest state, a removed one's removal at its clock. */
  private encode(ids: Iterable<number>, removedAt: (id: number) => number | null | undefined): Entry[] {
    const { states, meta } = this.awareness;
    const out: Entry[] = [];
    for (const id of ids) {
      const state = states.get(id);
      const clock = state !== undefined ? meta.get(id)?.clock : (removedAt(id) ?? meta.get(id)?.clock);
      if (clock === undefined) continue;
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, id);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, JSON.stringify(state ?? null));
      out.push({ id, bytes: encoding.toUint8Array(e) });
    }
    return out;
  }

  private fellBehind(c: Conn, ids: number[]): void {
    let missed = this.behind.get(c);
    if (!missed) this.behind.set(c, (missed = new Map()));
    for (const id of ids) missed.set(id, this.removals.get(id) ?? null);
    // Only a churn of made-up ids can make a list this long; a connection that also reads nothing is cut (HI5).
    if (missed.size > PRESENCE_DEPARTED_KEEP) {
      this.behind.delete(c);
      c.cutSlow('client is not reading; presence backlog limit reached');
      return;
    }
    this.catchUp ??= this.clock.after(PRESENCE_CATCH_UP_MS, this.catchUpTick);
  }

  /** Sends connections that drained the latest state of everything they missed, within the budget. */
  private readonly catchUpTick = (): void => {
    this.catchUp = null;
    for (const [c, missed] of this.behind) {
      if (!c.isOpen || !this.conns.has(c)) {
        this.behind.delete(c);
        continue;
      }
      if (c.queuedBytes > PRESENCE_BACKLOG_MAX / 2 || this.wait() > 0) continue;
      this.behind.delete(c);
      const frame = frameOf(
        this.encode(missed.keys(), (id) => missed.get(id)),
        c,
      );
      if (!frame) continue;
      c.send(frame);
      this.spend(frame.length);
    }
    if (this.behind.size > 0) this.catchUp = this.clock.after(PRESENCE_CATCH_UP_MS, this.catchUpTick);
  };
}

interface Sending {
  ids: number[];
  entries: Entry[];
  /** The frame of every entry, for recipients that own none of them; built once, on first use. */
  shared: Uint8Array | null;
  to: Conn[];
  at: number;
  next: Timer | null;
}

/**
 * An awareness message of `entries` but those `c` speaks for (PR6), in y-protocols' wire
 * format, assembled in one allocation from bytes encoded once; null if nothing is left.
 */
function frameOf(entries: Entry[], c: Conn | null): Uint8Array | null {
  const rest = c ? entries.filter((x) => !c.awarenessIds.has(x.id)) : entries;
  if (rest.length === 0) return null;
  const count = encoding.createEncoder();
  encoding.writeVarUint(count, rest.length);
  let n = encoding.length(count);
  for (const x of rest) n += x.bytes.length;
  const head = encoding.createEncoder();
  encoding.writeVarUint(head, MessageType.Awareness);
  encoding.writeVarUint(head, n);
  const out = new Uint8Array(encoding.length(head) + n);
  out.set(encoding.toUint8Array(head), 0);
  let at = encoding.length(head);
  out.set(encoding.toUint8Array(count), at);
  at += encoding.length(count);
  for (const x of rest) {
    out.set(x.bytes, at);
    at += x.bytes.length;
  }
  return out;
}
