import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { build } from 'vite';
import { injectPrecache, precacheManifest } from './precache.js';

const WEB = import.meta.dirname;

/** The constants the build wrote into sw.js. */
function readWorker(code: string): { list: string[]; version: string } {
  const list = /^const PRECACHE = (\[.*\]);$/m.exec(code)?.[1];
  const version = /^const VERSION = (".*");$/m.exec(code)?.[1];
  assert.ok(list && version, 'sw.js carries a precache list and a version');
  return { list: JSON.parse(list) as string[], version: JSON.parse(version) as string };
}

describe('Service worker precache list, generated at build time', () => {
  const out = mkdtempSync(join(tmpdir(), 'padmesh-web-build-'));
  let worker = '';
  let list: string[] = [];
  let version = '';

  before(async () => {
    // A fresh build of the current source (not whatever dist/ holds), with the real config.
    await build({
      root: WEB,
      configFile: join(WEB, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: out, emptyOutDir: true },
    });
    worker = readFileSync(join(out, 'sw.js'), 'utf8');
    ({ list, version } = readWorker(worker));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('every JS and CSS file index.html references is precached, and so is index.html', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.ok(refs.some((r) => r.endsWith('.js')) && refs.some((r) => r.endsWith('.css')), `refs: ${refs}`);
    for (const ref of refs) assert.ok(list.includes(ref), `${ref} is referenced by index.html but not precached`);
    assert.ok(list.includes('/index.html'));
    assert.ok(list.includes('/favicon.svg'), 'public files are precached');
  });

  it('code-split chunks are precached too: every built asset is on the list', () => {
    const assets = readdirSync(join(out, 'assets')).filter((f) => !f.endsWith('.br') && !f.endsWith('.gz'));
    assert.ok(assets.length > 2, `a few chunks were built: ${assets}`);
    for (const f of assets) assert.ok(list.includes(`/assets/${f}`), `/assets/${f} is not precached`);
  });

  it('the list names only files that exist, once each, without the worker or compressed copies', () => {
    assert.equal(new Set(list).size, list.length, 'no duplicates');
    for (const url of list) {
      assert.match(url, /^\/[^/]/, `${url} is root-relative`);
      const path = join(out, url);
      assert.ok(existsSync(path) && statSync(path).isFile(), `${url} is precached but was not built`);
      assert.doesNotMatch(url, /\.(br|gz|map)$|^\/sw\.js$/, `${url} should not be precached`);
    }
  });

  it('the emitted worker parses, names its cache by a content hash, and has compressed copies', () => {
    assert.doesNotThrow(() => new Script(worker, { filename: 'sw.js' }));
    assert.match(version, /^[0-9a-f]{16}$/);
    assert.doesNotMatch(worker, /padmesh:precache-/, 'no marker left unfilled');
    // The server serves build-made .br/.gz copies when they decode to the file (precompress.ts).
    assert.equal(brotliDecompressSync(readFileSync(join(out, 'sw.js.br'))).toString(), worker);
    assert.equal(gunzipSync(readFileSync(join(out, 'sw.js.gz'))).toString(), worker);
  });
});

describe('Precache version', () => {
  const template =
    "const PRECACHE = /* padmesh:precache-list */ [];\nconst VERSION = /* padmesh:precache-version */ 'dev';\n";
  const files = (entries: [string, string][]) => new Map<string, string | Uint8Array>(entries);
  const base = precacheManifest(
    files([
      ['/index.html', '<html>'],
      ['/assets/a-1.js', 'a'],
    ]),
    template,
  );

  it('is stable for the same files, whatever order the bundle lists them in', () => {
    const again = precacheManifest(
      files([
        ['/assets/a-1.js', 'a'],
        ['/index.html', '<html>'],
      ]),
      template,
    );
    assert.deepEqual(again, base);
    assert.deepEqual(base.urls, ['/assets/a-1.js', '/index.html']);
  });

  it('changes when an unhashed file, a file name, or the worker changes (old caches are then dropped)', () => {
    const changed = [
      precacheManifest(
        files([
          ['/index.html', '<html> '],
          ['/assets/a-1.js', 'a'],
        ]),
        template,
      ),
      precacheManifest(
        files([
          ['/index.html', '<html>'],
          ['/assets/a-2.js', 'a'],
        ]),
        template,
      ),
      precacheManifest(
        files([
          ['/index.html', '<html>'],
          ['/assets/a-1.js', 'a'],
        ]),
        template + '\n',
      ),
    ];
    for (const m of changed) assert.notEqual(m.version, base.version);
  });

  it('injection fills both constants and refuses a template without its markers', () => {
    const code = injectPrecache(template, base);
    assert.deepEqual(readWorker(code), { list: base.urls, version: base.version });
    assert.throws(() => injectPrecache('const PRECACHE = [];', base), /markers not found/);
  });
});
