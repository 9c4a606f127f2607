/**
 * `node --import tsx packages/bench/src/heap-top.ts <file.heapprofile> [n] [--per=N]`: where
 * a server's bytes were allocated (from `BENCH_HEAP_PROF=<dir> npm run bench`, collected
 * objects included): the functions that allocated most themselves, and for the built-ins
 * (`Map`, `Set`, array growth), who called them. `--per=N` also prints bytes per N (say, the
 * updates the run delivered), so two servers' profiles compare per unit of work.
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const args = process.argv.slice(2);
const [file, n = '25'] = args.filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: heap-top.ts <file.heapprofile> [n] [--per=N]');
const per = Number(args.find((a) => a.startsWith('--per='))?.split('=')[1] ?? 0);
const head = (JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }).head;

const label = (f: HeapNode['callFrame']) =>
  `${f.functionName || '(anonymous)'}  ${f.url.split('/node_modules/').pop()!.split('/').slice(-3).join('/')}${f.url ? `:${f.lineNumber + 1}` : ''}`;
const self = new Map<string, number>();
/** Allocations by a built-in with no script of its own, charged to its caller. */
const builtins = new Map<string, number>();
let total = 0;
(function walk(node: HeapNode, caller: string) {
  const name = label(node.callFrame);
  if (node.selfSize > 0) {
    total += node.selfSize;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    if (!node.callFrame.url) {
      const k = `${name.trim()}  <  ${caller}`;
      builtins.set(k, (builtins.get(k) ?? 0) + node.selfSize);
    }
  }
  for (const c of node.children) walk(c, name);
})(head, '(root)');

const mb = (b: number) => (b / 1e6).toFixed(1);
console.log(`${file}: ${mb(total)} MB allocated${per > 0 ? `, ${Math.round(total / per)} bytes per unit` : ''}\n`);
const top = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .forEach(([k, v]) =>
      console.log(
        `${((100 * v) / total).toFixed(1).padStart(5)} %  ${per > 0 ? `${Math.round(v / per)} B  ` : ''}${k}`,
      ),
    );
console.log('allocated by (self):');
top(self);
console.log('\nbuilt-ins, by caller:');
top(builtins);
