import type { Row } from './workloads.js';

const COLORS: Record<string, string> = {
  padmesh: '#1f6feb',
  'padmesh@before': '#9ebef5',
  hocuspocus: '#e07a1f',
  'y-websocket': '#2a9d8f',
  relay: '#8c959f',
};

/** A small SVG of the headline figures per server (hand-drawn; no chart dependency). */
export function chart(results: Record<string, Row[]>): string {
  const all: [Row[], string, string][] = [
    [
      results.throughput ?? [],
      'updates/s',
      'throughput: updates applied and delivered per second, saturating load (higher is better)',
    ],
    [results.typing ?? [], 'p99 ms', 'typing: p99 latency edit to other client, ms (lower is better)'],
    [
      (results.connections ?? []).filter((r) => Number(r.connections) === 1000),
      'KiB/conn',
      'memory per idle connection at 1,000, KiB RSS (lower is better)',
    ],
  ];
  const panels = all.filter((p) => p[0].length > 0);
  const w = 720;
  const barH = 22;
  let y = 30;
  let body = '';
  for (const [rows, key, title] of panels) {
    const values = rows.map((r) => Number(r[key]) || 0);
    const max = Math.max(1, ...values);
    body += `<text x="10" y="${y}" font-weight="600">${title}</text>`;
    y += 10;
    rows.forEach((r, i) => {
      const v = values[i]!;
      const len = (v / max) * (w - 260);
      const fill = COLORS[String(r.server)] ?? '#999';
      body +=
        `<text x="10" y="${y + 16}">${r.server}</text>` +
        `<rect x="130" y="${y + 3}" width="${len.toFixed(1)}" height="${barH - 6}" fill="${fill}"/>` +
        `<text x="${(136 + len).toFixed(1)}" y="${y + 16}">${v}</text>`;
      y += barH;
    });
    y += 24;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${y}" font-family="sans-serif" font-size="13">` +
    `<rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`
  );
}
