import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { appPageCsp } from './replies.js';

/**
 * Where the app page (packages/web/index.html) takes its per-response style nonce: CodeMirror
 * reads it and puts it on its one `<style>` element, the only inline style the CSP allows (PR7).
 */
const NONCE_SLOT = 'PADMESH_STYLE_NONCE';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);
/** Smaller files gain too little from compression to be worth a second copy. */
const COMPRESS_MIN_BYTES = 512;
/** Hashed file names never change content, so browsers may keep them for a year. */
const IMMUTABLE_CACHE = `public, max-age=${365 * 24 * 3600}, immutable`;
/** Everything else (index.html above all) is revalidated, so a deploy is seen at once. */
const REVALIDATE_CACHE = 'no-cache';

interface Asset {
  type: string;
  raw: Buffer;
  br?: Buffer;
  gzip?: Buffer;
  /** Hashed file names never change content, so browsers may keep them for a year. */
  immutable: boolean;
  /** The app page: a fresh style nonce per response (small, so sent uncompressed). */
  nonced: boolean;
}

/** The build's compressed copy at `path`, if there is one that decodes to exactly `raw` (a stale copy is never served). */
function precompressed(path: string, raw: Buffer, decode: (b: Buffer) => Buffer): Buffer | undefined {
  try {
    const packed = readFileSync(path);
    return decode(packed).equals(raw) ? packed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built web app, read once at start-up (it is a few hundred KB), so serving a file is a
 * map lookup. Compressed copies come from the build (`x.js.br`, `x.js.gz`, written by
 * packages/web/precompress.ts); a file without them is compressed here, which for the whole
 * app held the event loop for about a second.
 */
export class StaticFiles {
  private files = new Map<string, Asset>();

  constructor(readonly root: string) {
    if (existsSync(root)) this.scan(root);
  }

  get available(): boolean {
    return this.files.has('/index.html');
  }

  private scan(dir: string): void {
    for (const name of readdirSync(dir)) {
      // Encodings of another file, served in its place, never under their own names.
      if (name.endsWith('.br') || name.endsWith('.gz')) continue;
      const path = join(dir, name);
      let raw: Buffer;
      try {
        if (statSync(path).isDirectory()) {
          this.scan(path);
          continue;
        }
        raw = readFileSync(path);
      } catch (err) {
        // A rebuild may delete files while we scan; serve what is there rather than fail to start.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const ext = extname(name);
      const url = '/' + relative(this.root, path).split(sep).join('/');
      const asset: Asset = {
        type: TYPES[ext] ?? 'application/octet-stream',
        raw,
        immutable: url.startsWith('/assets/'),
        nonced: ext === '.html' && raw.includes(NONCE_SLOT),
      };
      if (COMPRESSIBLE.has(ext) && !asset.nonced && raw.length > COMPRESS_MIN_BYTES) {
        asset.br = precompressed(`${path}.br`, raw, brotliDecompressSync) ?? brotliCompressSync(raw);
        asset.gzip = precompressed(`${path}.gz`, raw, gunzipSync) ?? gzipSync(raw, { level: 9 });
      }
      this.files.set(url, asset);
    }
  }

  has(url: string): boolean {
    return this.files.has(url);
  }

  /** Sends `url` (or returns false if there is no such file). */
  serve(req: IncomingMessage, res: ServerResponse, url: string, status = 200): boolean {
    const a = this.files.get(url);
    if (!a) return false;
    const accept = String(req.headers['accept-encoding'] ?? '');
    let body = a.raw;
    let encoding: string | undefined;
    if (a.br && /\bbr\b/.test(accept)) [body, encoding] = [a.br, 'br'];
    else if (a.gzip && /\bgzip\b/.test(accept)) [body, encoding] = [a.gzip, 'gzip'];
    const headers: Record<string, string | number> = {
      'content-type': a.type,
      'content-length': body.length,
      'cache-control': a.immutable ? IMMUTABLE_CACHE : REVALIDATE_CACHE,
      vary: 'accept-encoding',
    };
    if (encoding) headers['content-encoding'] = encoding;
    if (a.nonced) {
      const nonce = randomBytes(16).toString('base64');
      body = Buffer.from(a.raw.toString('utf8').replaceAll(NONCE_SLOT, nonce));
      headers['content-length'] = body.length;
      headers['content-security-policy'] = appPageCsp(nonce);
    }
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}
