import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config.js';
import { startServer, type PadmeshServer, type ServerDeps } from '../src/server.js';

export interface TestServer extends PadmeshServer {
  wsUrl: string;
  dataDir: string;
  /** Closes the server and removes its data directory. */
  dispose(): Promise<void>;
}

/** A real server on 127.0.0.1, port 0, with SQLite in a fresh temp dir unless told otherwise. */
export async function startTestServer(env: Record<string, string> = {}, deps: ServerDeps = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'padmesh-test-'));
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PAD_IDLE_MS: '200',
    DATA_DIR: dataDir,
    ...env,
  });
  const srv = await startServer(config, deps);
  return Object.assign(srv, {
    wsUrl: srv.url.replace(/^http/, 'ws') + '/ws',
    dataDir,
    async dispose() {
      await srv.close();
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
