#!/usr/bin/env node
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

/** The only place that reads the environment. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`padmesh: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  const server = await startServer(config, { log });
  process.stdout.write(`Padmesh is running at ${server.url}/ (node ${config.nodeId})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    server.drain().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** What an operator can act on, in one line; anything else keeps its stack. */
function startupProblem(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  switch (e?.code) {
    case 'EADDRINUSE':
      return `port ${e.port} on ${e.address} is already in use; stop the other process or set PORT`;
    case 'EACCES':
      return e.syscall === 'listen'
        ? `not allowed to listen on port ${e.port}; use a port above 1023 or set PORT`
        : `permission denied: ${e.message}`;
    case 'EADDRNOTAVAIL':
      return `HOST ${e.address} is not an address of this machine`;
    case 'ECONNREFUSED':
      return `a service refused the connection (${e.message}); check STORAGE_URL and REDIS_URL`;
    default:
      return null;
  }
}

main().catch((err) => {
  const problem = startupProblem(err);
  process.stderr.write(`padmesh: failed to start: ${problem ?? (err as Error).stack ?? err}\n`);
  process.exit(1);
});
