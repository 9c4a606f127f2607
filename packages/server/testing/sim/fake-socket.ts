import type { Socket } from '../../src/transport/socket.js';

/**
 * The server's end of a simulated connection: frames the server sends wait in `outbox`
 * until the test delivers them, so a test decides exactly when a client reads.
 */
export class FakeSocket implements Socket {
  readonly outbox: Uint8Array[] = [];
  closeCode: number | null = null;
  closeReason = '';
  /** Set by a test to play a client that stopped reading (slow-consumer rules). */
  unread = 0;

  /** Per frame in `outbox`, what runs once the client has taken it (an answer leaving the window). */
  private readonly written: ((() => void) | undefined)[] = [];

  send(data: Uint8Array, onWritten?: () => void): void {
    if (this.closeCode !== null) return;
    this.outbox.push(data);
    this.written.push(onWritten);
  }

  /** The client reads the next frame. */
  take(): Uint8Array | undefined {
    const frame = this.outbox.shift();
    this.written.shift()?.();
    return frame;
  }

  close(code: number, reason: string): void {
    if (this.closeCode !== null) return;
    this.closeCode = code;
    this.closeReason = reason;
  }

  get isOpen(): boolean {
    return this.closeCode === null;
  }

  get bufferedAmount(): number {
    return this.unread + this.outbox.reduce((n, f) => n + f.length, 0);
  }
}
