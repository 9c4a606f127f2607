/**
 * The long structure-aware fuzz round, outside CI (SPEC HF7):
 *   npm run fuzz -- --messages 1000000 [--minutes 55] [--seed N] [--out bench/results/fuzz-long.txt]
 *     [--dump pad.json] [--resume pad.json]
 * Prints progress per 100 pads, then counts per generator: sent, accepted, refused by close
 * code, the longest synchronous handling of one of its messages; and the seed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  FuzzFailure,
  codeName,
  fuzzRound,
  type EpochDump,
  type RoundResult,
} from '../packages/server/testing/fuzz/round.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    minutes: { type: 'string', default: '55' },
    seed: { type: 'string' },
    out: { type: 'string' },
    // On a failure (a message's check or the end-of-pad one), write the failing pad (and what resumes at it) to this JSON file.
    dump: { type: 'string' },
    // Start at the epoch a --dump file recorded, with its seed and Rand state: one pad's life, not the whole run.
    resume: { type: 'string' },
  },
});
const resume = values.resume ? (JSON.parse(readFileSync(values.resume, 'utf8')) as EpochDump) : undefined;
const seed = resume ? resume.seed : values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000_007;
const messages = Number(values.messages);
const minutes = Number(values.minutes);
if (!Number.isFinite(seed) || !(messages > 0) || !(minutes > 0)) {
  console.error('usage: npm run fuzz -- --messages N [--minutes M] [--seed S] [--out FILE]');
  process.exit(2);
}

let failed = false;
process.on('unhandledRejection', (err) => {
  failed = true;
  console.error(`unhandled rejection (seed ${seed}):`, err);
});

console.log(`fuzz: seed ${seed}, ${messages} messages, at most ${minutes} min (replay with --seed ${seed})`);
const heapAtStart = process.memoryUsage().heapUsed;
let lastPrint = 0;
try {
  const result = await fuzzRound({
    seed,
    messages,
    timeLimitMs: minutes * 60_000,
    dumpFile: values.dump,
    resume,
    onEpoch: (r) => {
      if (r.epochs - lastPrint < 100) return;
      lastPrint = r.epochs;
      const rate = Math.round(r.messages / (r.elapsedMs / 1000));
      const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      console.log(`  ${r.messages} messages, ${r.epochs} pads, ${rate} msg/s, heap ${heap} MiB`);
    },
  });
  const report = format(result, heapAtStart);
  console.log(report);
  if (values.out) writeFileSync(values.out, report + '\n');
} catch (err) {
  failed = true;
  if (err instanceof FuzzFailure) console.error(`FAILED (replay with --seed ${seed}):\n${err.message}`);
  else console.error(`CRASHED (replay with --seed ${seed}):`, err);
}
process.exit(failed ? 1 : 0);

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function format(r: RoundResult, heapAtStart: number): string {
  const lines = [
    `seed ${r.seed}: ${r.messages} messages on ${r.epochs} pads in ${(r.elapsedMs / 1000).toFixed(0)} s ` +
      `(${Math.round(r.messages / (r.elapsedMs / 1000))} msg/s), stopped by ${r.stopped}; ` +
      // On a shared machine the wall rate says little: CPU seconds per message is what the design controls.
      `${cpuSeconds().toFixed(0)} CPU s (${(r.messages / cpuSeconds()).toFixed(0)} msg per CPU s)`,
    `${'generator'.padEnd(16)}${'sent'.padStart(9)}${'accepted'.padStart(10)}  max ms  refused by code`,
  ];
  for (const [name, s] of Object.entries(r.generators)) {
    const refused = Object.entries(s.refused)
      .map(([code, n]) => `${code} ${codeName(Number(code))}: ${n}`)
      .join(', ');
    lines.push(
      `${name.padEnd(16)}${String(s.sent).padStart(9)}${String(s.accepted).padStart(10)}${s.maxMs.toFixed(1).padStart(8)}  ${refused || '-'}`,
    );
  }
  lines.push(
    `longest synchronous handling of one message: ${r.longest.ms.toFixed(1)} ms (${r.longest.what})`,
    `longest pad unload (flush + compaction): ${r.longestUnload.ms.toFixed(1)} ms (${r.longestUnload.what})`,
    `longest compaction fold (inline in the simulator): ${r.longestFold.ms.toFixed(1)} ms (${r.longestFold.what})`,
    `honest clients that rejoined after a waiting insert was refused once placed (HI13): ${r.rejoins}`,
    `heap: ${Math.round(heapAtStart / 2 ** 20)} MiB at start, ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB at end`,
  );
  return lines.join('\n');
}
