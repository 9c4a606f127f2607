#!/usr/bin/env node
// The `padmesh` command. A committed file, so `npm install` links it even before the first
// build (npm links a bin only if its target exists at install time).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('padmesh: the server is not built yet; run `npm run build` (or `npm start`) first\n');
  process.exit(2);
}
await import(cli.href);
