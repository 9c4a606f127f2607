import { WebSocket } from './ws.js';

/**
 * An attacker's raw socket: sends hand-built frames, never decodes what it gets, and keeps
 * the close code the node gave it (the "what the attacker got" of the `hostile` workload).
 * `read: false` stops reading at once, as a client that never reads would: the node then
 * queues what it sends, and only its send bounds (L9, HI5) stop that.
 */
export class AttackSocket {
  readonly ws: WebSocket;
  code: number | null = null;
  /** Frames received (counted, never decoded). */
  messages = 0;
  private readonly open: Promise<void>;
  private readonly done: Promise<void>;

  constructor(url: string, opts: { read?: boolean } = {}) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.open = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        if (opts.read === false) this.ws.pause();
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => {});
    this.ws.on('message', () => this.messages++);
    this.done = new Promise((resolve) => this.ws.once('close', (code) => ((this.code = code), resolve())));
  }

  ready(): Promise<void> {
    return this.open;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    if (this.isOpen) this.ws.send(frame);
  }

  /** Resolves when the node closed the socket, or after `ms` (the socket may still be open). */
  async closed(ms: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise((r) => (t = setTimeout(r, ms)))]);
    clearTimeout(t);
  }

  /** What the attacker saw: its close code, or `open` while the node still serves it. */
  get outcome(): string {
    return this.code === null ? 'open' : String(this.code);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** "4415 ×2, open ×1": a tally of outcomes, most frequent first. */
export function tally(outcomes: Iterable<string | number>): string {
  const n = new Map<string, number>();
  for (const o of outcomes) n.set(String(o), (n.get(String(o)) ?? 0) + 1);
  return [...n]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
}
