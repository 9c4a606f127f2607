import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text types the server sends compressed (packages/server/src/static-files.ts). */
const TEXT = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);

/**
 * Writes `<file>.br` and `<file>.gz` beside every built text file, once per build. The server
 * serves them as they are: compressing the app at start-up (brotli at its best setting)
 * held a starting node's event loop for about a second.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (TEXT.has(extname(name))) {
        const raw = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(raw));
        writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
      }
    }
  };
  return {
    name: 'padmesh-precompress',
    apply: 'build',
    // resolve, not join: an absolute outDir (a test's temporary build) is used as it is.
    configResolved: (config) => void (outDir = resolve(config.root, config.build.outDir)),
    closeBundle: () => walk(outDir),
  };
}
