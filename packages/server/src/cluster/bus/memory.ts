import type { Bus, BusMessage } from './types.js';

/** A hub several in-process "nodes" share; each gets its own MemoryBus on it. */
export class MemoryHub {
  readonly subscribers = new Map<string, Set<MemoryBus>>();
  /** Tests set this to drop traffic (a partition); anti-entropy must repair it. */
  partitioned = false;
}

export class MemoryBus implements Bus {
  private handlers = new Map<string, (m: BusMessage) => void>();
  private readonly reconnectFns = new Set<() => void>();

  constructor(private readonly hub: MemoryHub) {}

  get healthy(): boolean {
    return !this.hub.partitioned;
  }

  async subscribe(pad: string, onMessage: (m: BusMessage) => void): Promise<void> {
    this.handlers.set(pad, onMessage);
    let set = this.hub.subscribers.get(pad);
    if (!set) this.hub.subscribers.set(pad, (set = new Set()));
    set.add(this);
  }

  async unsubscribe(pad: string): Promise<void> {
    this.handlers.delete(pad);
    this.hub.subscribers.get(pad)?.delete(this);
  }

  publish(pad: string, m: BusMessage): void {
    if (this.hub.partitioned) return;
    const copy = { ...m, data: m.data.slice() };
    // Asynchronous, like a network, but in order.
    queueMicrotask(() => {
      for (const bus of this.hub.subscribers.get(pad) ?? []) if (bus !== this) bus.handlers.get(pad)?.(copy);
    });
  }

  onReconnect(fn: () => void): () => void {
    this.reconnectFns.add(fn);
    return () => void this.reconnectFns.delete(fn);
  }

  /** Ends a simulated partition and tells the rooms, as a real reconnect would. */
  heal(): void {
    this.hub.partitioned = false;
    for (const fn of this.reconnectFns) fn();
  }

  async close(): Promise<void> {
    for (const pad of [...this.handlers.keys()]) await this.unsubscribe(pad);
  }
}
