import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * Past the limit, up to this much more is read and thrown away before the 413 goes out: a
 * server that closes a socket with unread bytes in it sends a TCP reset, and the client
 * loses the answer (it saw "connection reset", not 413). Beyond it the sender is cut off,
 * so draining costs bandwidth for a while, never memory.
 */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/** A request body as UTF-8 text, refused (413) past `limit` bytes; nothing past it is buffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > limit + DISCARD_MAX_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return reject(new HttpError(413, `body larger than ${limit} bytes`));
      const buf = Buffer.concat(chunks);
      const s = new TextDecoder('utf-8', { fatal: true });
      try {
        resolve(s.decode(buf));
      } catch {
        reject(new HttpError(400, 'body is not valid UTF-8'));
      }
    });
    req.on('error', reject);
    // Cut off past the discard bound, or the client went away: settle, so the handler ends (a no-op after 'end').
    req.on('close', () =>
      reject(new HttpError(over ? 413 : 400, over ? `body larger than ${limit} bytes` : 'request aborted')),
    );
  });
}
