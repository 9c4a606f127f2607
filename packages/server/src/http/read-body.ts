import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** A request body as UTF-8 text, refused (413) past `limit` bytes before it is all buffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const buf = Buffer.concat(chunks);
      const s = new TextDecoder('utf-8', { fatal: true });
      try {
        resolve(s.decode(buf));
      } catch {
        reject(new HttpError(400, 'body is not valid UTF-8'));
      }
    });
    req.on('error', reject);
  });
}
