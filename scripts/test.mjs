#!/usr/bin/env node
// Runs every *.test.ts under packages/ and tests/ with node's own test runner (one runner
// across the repo). `node scripts/test.mjs unit` skips the browser and cluster scenarios.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const mode = process.argv[2] ?? 'all';
const roots = mode === 'unit' ? ['packages'] : ['packages', 'tests'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots) walk(r);
files.sort();
const filter = process.env.TEST_FILTER;
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
if (chosen.length === 0) {
  console.error(`no test files matched (${filter ?? 'all'})`);
  process.exit(1);
}
const args = [
  '--conditions=source',
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=1',
  '--test-timeout=180000',
  '--test-reporter=spec',
  ...chosen,
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
