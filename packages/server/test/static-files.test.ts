import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { StaticFiles } from '../src/http/static-files.js';

/** What `serve` answers, without a socket. */
function get(files: StaticFiles, url: string, encoding: string) {
  let status = 0;
  let headers: Record<string, string | number> = {};
  let body: Buffer = Buffer.alloc(0);
  const req = { method: 'GET', headers: { 'accept-encoding': encoding } } as unknown as IncomingMessage;
  const res = {
    writeHead: (s: number, h: Record<string, string | number>) => ((status = s), (headers = h)),
    end: (b?: Buffer) => (body = b ?? Buffer.alloc(0)),
  } as unknown as ServerResponse;
  const found = files.serve(req, res, url);
  return { found, status, headers, body };
}

const script = Buffer.from('export const greeting = "hello";\n'.repeat(200));

describe('static files', () => {
  it("SF1 serves a build's precompressed copies as they are, and never under their own names", () => {
    const root = mkdtempSync(join(tmpdir(), 'padmesh-static-'));
    writeFileSync(join(root, 'app.js'), script);
    // A quality the server would not pick itself, so serving these bytes proves they were read.
    const br = brotliCompressSync(script, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    const gz = gzipSync(script, { level: 1 });
    writeFileSync(join(root, 'app.js.br'), br);
    writeFileSync(join(root, 'app.js.gz'), gz);
    const files = new StaticFiles(root);
    assert.ok(get(files, '/app.js', 'br').body.equals(br));
    assert.ok(get(files, '/app.js', 'gzip').body.equals(gz));
    assert.equal(get(files, '/app.js', 'br').headers['content-encoding'], 'br');
    assert.equal(files.has('/app.js.br'), false);
    assert.equal(files.has('/app.js.gz'), false);
  });

  it('SF2 a precompressed copy that no longer matches its file is ignored, not served', () => {
    const root = mkdtempSync(join(tmpdir(), 'padmesh-static-'));
    writeFileSync(join(root, 'app.js'), script);
    writeFileSync(join(root, 'app.js.br'), brotliCompressSync(Buffer.from('old build')));
    writeFileSync(join(root, 'app.js.gz'), Buffer.from('not gzip at all'));
    const files = new StaticFiles(root);
    assert.ok(brotliDecompressSync(get(files, '/app.js', 'br').body).equals(script));
    assert.ok(gunzipSync(get(files, '/app.js', 'gzip').body).equals(script));
  });

  it('SF3 the web build ships a brotli and a gzip copy of each script, matching it', () => {
    const assets = resolve(import.meta.dirname, '../../web/dist/assets');
    const scripts = readdirSync(assets).filter((n) => n.endsWith('.js'));
    assert.ok(scripts.length > 0, 'npm run build has built packages/web');
    for (const name of scripts) {
      const raw = readFileSync(join(assets, name));
      assert.ok(brotliDecompressSync(readFileSync(join(assets, `${name}.br`))).equals(raw), `${name}.br`);
      assert.ok(gunzipSync(readFileSync(join(assets, `${name}.gz`))).equals(raw), `${name}.gz`);
    }
  });
});
