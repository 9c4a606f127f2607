import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const MAIN = resolve(import.meta.dirname, '../src/main.ts');

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`node did not exit within 15 s; stderr: ${stderr}`));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}

describe('start-up errors', () => {
  it('SU1 a port in use stops the node with one line naming the port and PORT, no stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'padmesh-startup-'));
    try {
      const { code, stderr } = await start({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*PORT`));
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('SU2 a bad setting stops the node with a message naming it (exit 2)', async () => {
    const { code, stderr } = await start({ PORT: 'eighty' });
    assert.equal(code, 2);
    assert.match(stderr, /PORT/);
  });
});
