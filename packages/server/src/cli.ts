#!/usr/bin/env node
// `padmesh verify | export | import | delete | sweep`: offline tools over the same storage the server uses.
// Like main.ts, an entry point: it alone reads the environment (STORAGE_URL / DATA_DIR).
import { TEXT_NAME, padIdProblem } from '@padmesh/protocol';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { readPadMeta } from './access/access-records.js';
import { sweepExpired } from './access/expiry-sweep.js';
import { ACCESS_CHANNEL, encodeAccessChange } from './access/live-access.js';
import { PadAccess } from './access/pad-access.js';
import { RedisBus } from './cluster/bus/redis.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { padPrefix } from './persistence/side-data-keys.js';
import { loadVerified } from './persistence/integrity.js';
import { applyStored, loadVerifiedDoc } from './persistence/stored-doc.js';
import { storeMissing } from './storage/exists.js';
import { openStorage } from './storage/open.js';
import type { CorruptEntry, Storage } from './storage/types.js';
import { applyDiff, textDiff, textDiffBytes } from './crdt/text-diff.js';
import { shapeLimits } from './crdt/update-shape.js';
import { offlineUpdateProblem, type OfflineWriteLimits } from './room/offline-write.js';
import { padGrowthProblem } from './room/pad-size.js';
import { checkUpdate } from './crdt/update-check.js';
import { encodeState } from './crdt/encode-state.js';

const USAGE = `usage:
  padmesh verify [--storage URL] [--quarantine]
      check every pad: checksums, Yjs decoding, snapshot + log rebuild; exit 1 on corruption
  padmesh export <pad> [--format text|yjs] [--out FILE] [--storage URL]
      write the pad's text, or its full Yjs state (binary), to stdout or FILE
  padmesh import <pad> <file> [--format text|yjs] [--storage URL]
      text: replace the pad's text through the CRDT (minimal diff); yjs: merge a Yjs state
  padmesh delete <pad> [--storage URL]
      delete the pad everywhere (text, log, versions, access settings); it cannot come back.
      With REDIS_URL set, open sockets on running nodes are closed at once (4410)
  padmesh sweep [--storage URL]
      delete every pad past its expiry, and (PAD_EXPIRE_DAYS) every pad idle that long
The store is STORAGE_URL, else sqlite:$DATA_DIR/padmesh.db (as for the server).`;

class UsageError extends Error {}
/** A failure the user can act on: one line, exit 1, no stack. */
class CliError extends Error {}

/** Exit statuses scripts can tell apart: 1 is also what verify returns on corruption (R5). */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** How long the CLI waits for a bus message to leave before it disconnects. */
const BUS_FLUSH_MS = 200;

type Format = 'text' | 'yjs';
const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);
const describe = (c: CorruptEntry) => `corrupt: pad=${c.pad} ${c.kind}@${c.seq} (${c.reason})`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      storage: { type: 'string' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      quarantine: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'yjs') throw new UsageError(`--format must be text or yjs (got ${format})`);
  const pad = rest[0];
  const problem = command !== 'verify' && pad !== undefined ? padIdProblem(pad) : null;
  if (problem) throw new UsageError(`invalid pad id ${JSON.stringify(pad)}: ${problem}`);
  const config = parseConfig(process.env);
  const url = values.storage ?? config.storageUrl;
  const schema = config.storageSchema;
  // Every command reads or extends an existing store; none should create one by accident.
  const missing = await storeMissing(url, schema ? { schema } : {});
  if (missing) throw new CliError(missing);
  const storage = await openStorage(url, schema ? { schema } : {});
  try {
    switch (command) {
      case 'verify':
        if (rest.length > 0) throw new UsageError('verify takes no arguments');
        return await verify(storage, values.quarantine);
      case 'export':
        if (rest.length !== 1) throw new UsageError('export needs exactly one pad');
        return await exportPad(storage, rest[0]!, format, values.out);
      case 'import':
        if (rest.length !== 2) throw new UsageError('import needs a pad and a file');
        return await importPad(storage, config, rest[0]!, rest[1]!, format);
      case 'delete':
        if (rest.length !== 1) throw new UsageError('delete needs exactly one pad');
        return await deletePad(storage, config, rest[0]!);
      case 'sweep':
        if (rest.length > 0) throw new UsageError('sweep takes no arguments');
        return await sweep(storage, config);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } finally {
    await storage.close();
  }
}

/** Read-only unless --quarantine: reports every bad entry with pad and position (R5). */
async function verify(storage: Storage, quarantine: boolean): Promise<number> {
  const totals = { pads: 0, entries: 0, bytes: 0, corrupt: 0, incomplete: 0 };
  const pads = (await storage.listPads()).sort();
  for (const pad of pads) {
    totals.pads++;
    const got = await loadVerified(storage, pad, { quarantine, report: (c) => err(describe(c)) });
    totals.corrupt += got.corrupt.length;
    totals.entries +=
      got.updates.length + got.corrupt.filter((c) => c.kind === 'update').length + (got.snapshot ? 1 : 0);
    totals.bytes += (got.snapshot?.length ?? 0) + got.updates.reduce((n, u) => n + u.length, 0);
    // Rebuild: snapshot + log must apply cleanly; anything left pending is missing a dependency.
    const doc = new Y.Doc();
    try {
      applyStored(doc, got);
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        totals.incomplete++;
        err(`incomplete: pad=${pad} has updates waiting for missing earlier ones (an edit was lost or quarantined)`);
      }
    } catch (e) {
      totals.corrupt++;
      err(`corrupt: pad=${pad} rebuild failed: ${(e as Error).message}`);
    } finally {
      doc.destroy();
    }
  }
  const earlier = (await storage.quarantined()).length;
  out(
    `pads ${totals.pads}, entries ${totals.entries}, bytes ${totals.bytes}, corrupt ${totals.corrupt}, ` +
      `incomplete ${totals.incomplete}, quarantined ${earlier}${quarantine ? '' : ' (read-only: run with --quarantine to move bad entries aside)'}`,
  );
  return totals.corrupt > 0 ? EXIT_FAILED : EXIT_OK;
}

/** The pad as the server would serve it: verified entries only, read-only. */
async function loadDoc(storage: Storage, pad: string): Promise<Y.Doc> {
  const { doc } = await loadVerifiedDoc(storage, pad, {
    quarantine: false,
    report: (c) => err(`warning: skipped ${describe(c)}`),
  });
  return doc;
}

async function exportPad(storage: Storage, pad: string, format: Format, file: string | undefined): Promise<number> {
  if (!(await storage.listPads()).includes(pad))
    throw new CliError(`no pad named ${JSON.stringify(pad)} in this store`);
  const doc = await loadDoc(storage, pad);
  const data = format === 'text' ? Buffer.from(doc.getText(TEXT_NAME).toString()) : Buffer.from(encodeState(doc));
  if (file) writeFileSync(file, data);
  else process.stdout.write(data);
  return EXIT_OK;
}

/**
 * Appends one log entry holding the change, so the pad's history and other nodes see an
 * ordinary edit. A pad open on a running server picks it up on its next load; for a live
 * replacement use `PUT /api/pads/<pad>/text` instead.
 */
/** A node's write limits, from the same configuration (MAX_PAD_*, MAX_UPDATE_*). */
function writeLimits(config: Config): OfflineWriteLimits {
  return {
    maxPadBytes: config.maxPadBytes,
    maxPadChars: config.limits.maxPadChars,
    maxPadStructs: config.limits.shape.maxPadStructs,
    maxPadClients: config.limits.shape.maxPadClients,
    maxPendingBytes: config.limits.shape.maxPendingBytes,
    update: shapeLimits(config.limits.shape),
  };
}

async function importPad(storage: Storage, config: Config, pad: string, file: string, format: Format): Promise<number> {
  let input: Buffer;
  try {
    input = readFileSync(file);
  } catch (e) {
    throw new CliError(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  const { doc, stored } = await loadVerifiedDoc(storage, pad, {
    quarantine: false,
    report: (c) => err(`warning: skipped ${describe(c)}`),
  });
  const storedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
  const limits = writeLimits(config);
  const changes: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => changes.push(u));
  // The limits a node applies to the same write (design §5): refused before anything is stored.
  if (format === 'text') {
    const text = doc.getText(TEXT_NAME);
    const diff = textDiff(text.toString(), input.toString('utf8'));
    const problem =
      diff &&
      padGrowthProblem(limits, {
        storedBytes,
        chars: text.length,
        addBytes: textDiffBytes(diff),
        addChars: diff.insert.length - diff.deleteCount,
      });
    if (problem) throw new CliError(`${pad}: import refused: ${problem}`);
    if (diff) doc.transact(() => applyDiff(text, diff));
  } else {
    try {
      checkUpdate(input);
    } catch (e) {
      throw new UsageError(`${file} is not a Yjs update: ${(e as Error).message}`);
    }
    const problem = offlineUpdateProblem(doc, storedBytes, input, limits);
    if (problem) throw new CliError(`${pad}: import refused: ${problem}`);
    Y.applyUpdate(doc, input);
  }
  if (changes.length === 0) {
    out(`${pad}: already up to date`);
    return EXIT_OK;
  }
  const update = changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
  await storage.append([{ pad, update }]);
  out(`${pad}: imported ${update.length} bytes of changes; text is now ${doc.getText(TEXT_NAME).length} characters`);
  if (format !== 'text') return EXIT_OK;
  // The CLI writes to storage, not to a node: a node holding the pad open keeps serving its
  // in-memory doc until the pad unloads, so say so rather than let the import look lost.
  err(
    `note: if ${pad} is open on a running node, its editors see this import only after the pad unloads ` +
      `(everyone leaves + PAD_IDLE_MS); for a live import use: curl -X PUT --data-binary @${file} http://HOST:PORT/api/pads/${pad}/text`,
  );
  return EXIT_OK;
}

/**
 * The same access layer the nodes use, so a CLI deletion writes the tombstone and (with
 * REDIS_URL) tells running nodes to drop the pad's sockets and room (OW8, OW10).
 */
async function withAccess<T>(storage: Storage, config: Config, fn: (access: PadAccess) => Promise<T>): Promise<T> {
  const bus = config.redisUrl
    ? await RedisBus.open(config.redisUrl, createLogger({ ...config, logLevel: 'warn' }))
    : null;
  const access = new PadAccess(storage, {
    secret: Buffer.alloc(0), // mints no tokens
    onChange: async (pad, change) =>
      bus?.publish(ACCESS_CHANNEL, {
        kind: 'access',
        from: `cli-${process.pid}`,
        data: encodeAccessChange(pad, change),
      }),
  });
  try {
    return await fn(access);
  } finally {
    // Publishing is fire-and-forget; give it a moment to leave before disconnecting.
    if (bus) await new Promise((r) => setTimeout(r, BUS_FLUSH_MS));
    await bus?.close();
  }
}

async function deletePad(storage: Storage, config: Config, pad: string): Promise<number> {
  const meta = await readPadMeta(storage, pad);
  const exists =
    (await storage.load(pad)).lastSeq > 0 ||
    (await storage.records.list(padPrefix(pad))).length > 0 ||
    meta.passwordHash !== null ||
    meta.readOnlyId !== null;
  if (meta.deleted && !exists) {
    err(`padmesh: pad ${pad} was already deleted`);
    return EXIT_FAILED;
  }
  if (!exists) {
    err(`padmesh: no pad named ${pad}`);
    return EXIT_FAILED;
  }
  await withAccess(storage, config, (access) => access.deletePad(pad));
  out(`${pad}: deleted`);
  return EXIT_OK;
}

async function sweep(storage: Storage, config: Config): Promise<number> {
  const pads = await withAccess(storage, config, (access) => sweepExpired(storage, access, config.padExpireDays));
  out(
    `deleted ${pads.length} expired pad${pads.length === 1 ? '' : 's'}${pads.length ? `: ${pads.sort().join(' ')}` : ''}`,
  );
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (
      e instanceof UsageError ||
      e instanceof ConfigError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      err(`padmesh: ${(e as Error).message}\n\n${USAGE}`);
      process.exit(EXIT_USAGE);
    }
    if (e instanceof CliError) {
      err(`padmesh: ${e.message}`);
      process.exit(EXIT_FAILED);
    }
    err(`padmesh: ${(e as Error).stack ?? String(e)}`);
    process.exit(EXIT_FAILED);
  },
);
