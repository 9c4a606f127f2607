import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { NODE_FLAGS } from '../src/node-flags.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('production V8 flags', () => {
  it('npm start, npm run serve and the Dockerfile start the node with every flag in NODE_FLAGS', () => {
    const scripts = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    const start = scripts.start!;
    const serve = scripts.serve!;
    const docker = readFileSync(`${ROOT}/deploy/Dockerfile`, 'utf8');
    for (const flag of NODE_FLAGS) {
      assert.match(start, new RegExp(`node ${flag} packages/server/dist/main\\.js`), 'package.json start');
      assert.match(serve, new RegExp(`node ${flag} packages/server/dist/main\\.js`), 'package.json serve');
      assert.ok(docker.includes(`"${flag}"`), `deploy/Dockerfile CMD lacks ${flag}`);
    }
  });
});
