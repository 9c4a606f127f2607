/**
 * `node --import tsx packages/bench/src/profile-top.ts <file.cpuprofile> [n]`: the functions
 * with the most self time in a V8 CPU profile (from `BENCH_CPU_PROF=<dir> npm run bench`),
 * and the share of time per package, so before/after profiles can be compared as text.
 * `--from=S --to=S`: only samples taken S seconds after the profile started (an idle window
 * inside a whole run); `--timeline`: the busy share of each 5 s, to find that window.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const flags = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => [a.slice(2).split('=')[0]!, a.split('=')[1] ?? ''] as const),
);
const [file, n = '25'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [n] [--from=S] [--to=S] [--timeline]');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((x) => [x.id, x]));
// Sample times from the profile's start; keep those inside --from/--to.
{
  const from = Number(flags.get('from') ?? 0) * 1e6;
  const to = flags.has('to') ? Number(flags.get('to')) * 1e6 : Infinity;
  const idle = new Set(p.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id));
  const samples: number[] = [];
  const deltas: number[] = [];
  const buckets: [number, number][] = [];
  let t = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    const b = (buckets[Math.floor(t / 5e6)] ??= [0, 0]);
    b[1] += dt;
    if (!idle.has(id)) b[0] += dt;
    if (t < from || t > to) return;
    samples.push(id);
    deltas.push(dt);
  });
  if (flags.has('timeline'))
    buckets.forEach(
      (b, i) => b && console.log(`${String(i * 5).padStart(5)} s  busy ${((100 * b[0]) / b[1]).toFixed(1)} %`),
    );
  p.samples = samples;
  p.timeDeltas = deltas;
}
const self = new Map<string, number>();
const pkg = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const f = byId.get(id)!.callFrame;
  total += dt;
  const where = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, 'padmesh/');
  const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const group =
    f.url === ''
      ? f.functionName
      : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url)?.[1] ??
        (f.url.includes('/packages/') ? 'padmesh' : f.url.startsWith('node:') ? 'node core' : f.url));
  pkg.set(group, (pkg.get(group) ?? 0) + dt);
});
const pct = (x: number) => ((100 * x) / total).toFixed(1).padStart(5) + ' %';
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nby package / category:');
for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pct(v)}  ${k}`);
console.log('\ntop functions (self time):');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(v)}  ${k}`);

// Inclusive time of named functions (a function's own time plus its callees'), counted once
// per sample even under recursion: where the time goes, by the call that spends it.
const parent = new Map<number, number>();
for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const inclusive = new Map<string, number>();
p.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame;
    if (!f.functionName || f.url === '') continue;
    const key = `${f.functionName}  ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, 'padmesh/')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
});
console.log('\ntop functions (inclusive time):');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${pct(v)}  ${k}`);
