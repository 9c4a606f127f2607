import type { Row } from './workloads.js';

const COLORS: Record<string, string> = { padmesh: '#1f6feb', hocuspocus: '#e07a1f', 'y-websocket': '#2a9d8f', relay: '#8c959f' };

/** A small SVG: typing throughput and p99 latency per server (hand-drawn; no chart dependency). */
export function chart(results: Record<string, Row[]>): string {
  const rows = results.typing ?? [];
  const panels: [string, string][] = [
    ['updates/s', 'typing: updates delivered per second (higher is better)'],
    ['p99 ms', 'typing: p99 latency, ms (lower is better)'],
  ];
  const w = 720;
  const barH = 22;
  let y = 30;
  let body = '';
  for (const [key, title] of panels) {
    const values = rows.map((r) => Number(r[key]) || 0);
    const max = Math.max(1, ...values);
    body += `<text x="10" y="${y}" font-weight="600">${title}</text>`;
    y += 10;
    rows.forEach((r, i) => {
      const v = values[i]!;
      const len = (v / max) * (w - 260);
      body += `<text x="10" y="${y + 16}">${r.server}</text><rect x="130" y="${y + 3}" width="${len.toFixed(1)}" height="${barH - 6}" fill="${COLORS[String(r.server)] ?? '#999'}"/><text x="${(136 + len).toFixed(1)}" y="${y + 16}">${v}</text>`;
      y += barH;
    });
    y += 24;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${y}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`;
}
