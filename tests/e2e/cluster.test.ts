import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { Cluster, freePort } from '../../deploy/cluster.js';
import { RawClient } from '@padmesh/server/testing';
import { prng, testSeed, waitFor } from '@padmesh/server/testing';
import { launchBrowser, waitForStatus } from '../helpers/browser.js';
import { PrivateRedis } from '../helpers/redis.js';
import { ReconnectingClient } from './faults/reconnecting-client.js';

const PG_URL = process.env.PADMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `${process.pid}${Date.now().toString(36)}`;
const schema = `pm_cluster_${run}`;

const textAt = async (url: string, pad: string) => (await fetch(`${url}/${pad}.txt`)).text();

describe('Cluster: three nodes, Redis, HAProxy, PostgreSQL', () => {
  let cluster: Cluster;
  let redis: PrivateRedis;
  const closers: (() => void)[] = [];
  before(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect().catch((err: Error) => {
      throw new Error(`PostgreSQL at ${PG_URL} is required for the cluster tests: ${err.message}`);
    });
    await c.end();
    redis = new PrivateRedis(await freePort());
    await redis.start();
    cluster = await Cluster.start({
      nodes: 3,
      port: 0,
      storageUrl: PG_URL,
      storageSchema: schema,
      redisUrl: `redis://127.0.0.1:${redis.port}`,
      fromSource: true,
      logDir: 'test-artifacts/cluster-logs',
      env: { ANTI_ENTROPY_MS: '500', LOG_LEVEL: 'warn' },
    });
  });
  after(async () => {
    for (const c of closers) c();
    await cluster?.stop();
    await redis?.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('C5 clients spread over three nodes converge after seeded random concurrent edits', async () => {
    const seed = testSeed('C5');
    const rand = prng(seed);
    const pad = `spread-${run}`;
    const cs = await Promise.all(
      [0, 1, 2, 0, 1, 2].map((i) => new RawClient(`${cluster.nodes[i]!.url.replace('http', 'ws')}/ws`, pad).ready()),
    );
    closers.push(() => cs.forEach((c) => c.close()));
    for (let round = 0; round < 50; round++) {
      for (const c of cs) {
        const t = c.doc.getText('content');
        if (t.length > 4 && rand() < 0.3) t.delete(Math.floor(rand() * (t.length - 3)), 3);
        else t.insert(Math.floor(rand() * (t.length + 1)), String.fromCharCode(97 + Math.floor(rand() * 26)));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => cs.every((c) => c.text === cs[0]!.text), `all clients converge (seed ${seed})`, 15_000);
    await Promise.all(cs.map((c) => c.saved(10_000)));
    const texts = await Promise.all(cluster.nodes.map((n) => textAt(n.url, pad)));
    assert.deepEqual(texts, [cs[0]!.text, cs[0]!.text, cs[0]!.text], 'every node serves the same text, byte for byte');
  });

  it('OW8 a password set through one node closes the sockets on the other nodes within a second', async () => {
    const pad = `owned-${run}`;
    const [n0, n1, n2] = cluster.nodes;
    const claimed = await fetch(`${n0!.url}/api/pads/${pad}/claim`, { method: 'POST' });
    assert.equal(claimed.status, 201);
    const { ownerToken } = (await claimed.json()) as { ownerToken: string };
    const cs = await Promise.all(
      [n0!, n1!, n2!].map((n) => new RawClient(`${n.url.replace('http', 'ws')}/ws`, pad).ready()),
    );
    const bystander = await new RawClient(`${n1!.url.replace('http', 'ws')}/ws`, `bystander-${run}`).ready();
    closers.push(() => [...cs, bystander].forEach((c) => c.close()));
    cs[0]!.insert(0, 'team plans');
    await waitFor(() => cs.every((c) => c.text === 'team plans'), 'all three nodes have the pad open');

    const closings = cs.map((c) => c.closed(1_000));
    const set = await fetch(`${n0!.url}/api/pads/${pad}/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padmesh-owner': ownerToken },
      body: JSON.stringify({ password: 'pw' }),
    });
    assert.equal(set.status, 200);
    const codes = (await Promise.all(closings)).map((c) => c.code);
    assert.deepEqual(codes, [4403, 4403, 4403], 'every node closed its socket within a second');
    const cookie = set.headers.get('set-cookie')!.split(';')[0]!;
    assert.equal(
      await (await fetch(`${n2!.url}/${pad}.txt`, { headers: { cookie } })).text(),
      'team plans',
      'the owner cookie works on another node',
    );
    bystander.insert(0, 'still here');
    await bystander.saved();
  });

  it('C6 kill -9 of the node holding a busy pad: clients reconnect through HAProxy within 5 s and lose no acknowledged edit', async () => {
    const seed = testSeed('C6');
    const rand = prng(seed);
    const pad = `busy-${run}`;
    const holder = await cluster.nodeFor(pad);
    const cs = [0, 1, 2].map(() => new ReconnectingClient(() => cluster.wsUrl, pad, rand));
    closers.push(() => cs.forEach((c) => c.stop()));
    await waitFor(() => cs.every((c) => c.live), 'clients connected through HAProxy');
    let n = 0;
    const typing = setInterval(() => cs.forEach((c, i) => c.type(`c${i}-${n}|`), n++), 10);
    try {
      await waitFor(
        () => cs.every((c) => c.edits.filter((e) => c.isAcked(e)).length > 10),
        'acknowledged edits before the kill',
      );
      const killedAt = Date.now();
      await cluster.kill(holder, 'SIGKILL');
      await waitFor(() => cs.every((c) => c.reconnects > 0 && c.live), 'every client back through HAProxy', 5_000);
      const reconnectMs = Date.now() - killedAt;
      process.stdout.write(`# C6: node${holder + 1} killed; all clients live again after ${reconnectMs} ms\n`);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(typing);
    }
    const acked = cs.flatMap((c) => c.edits.filter((e) => c.isAcked(e)).map((e) => e.token));
    const all = cs.flatMap((c) => c.edits.map((e) => e.token));
    await waitFor(() => cs.every((c) => c.text === cs[0]!.text), 'clients converge', 10_000);
    await waitFor(
      () => cs.every((c) => c.edits.every((e) => c.isAcked(e))),
      'every edit acknowledged after failover',
      10_000,
    );
    const stored = await textAt(cluster.url, pad);
    assert.deepEqual(
      acked.filter((t) => !stored.includes(t)),
      [],
      `acknowledged edits missing (seed ${seed})`,
    );
    assert.deepEqual(
      all.filter((t) => !stored.includes(t)),
      [],
      'every typed edit present',
    );
    process.stdout.write(
      `# C6: ${all.length} edits typed, ${acked.length} acknowledged before and during failover, all present\n`,
    );
    await cluster.startNode(holder);
  });

  it('C7 Redis restarted during edits: edits keep flowing locally, nodes re-converge after', async () => {
    const pad = `redis-${run}`;
    const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!].map((n) => `${n.url.replace('http', 'ws')}/ws`);
    const a1 = await new RawClient(n1!, pad).ready();
    const a2 = await new RawClient(n1!, pad).ready();
    const b = await new RawClient(n2!, pad).ready();
    closers.push(() => [a1, a2, b].forEach((c) => c.close()));
    a1.insert(0, 'before|');
    await waitFor(() => b.text === 'before|', 'replicated before the outage');
    await redis.stop();
    await waitFor(
      async () => (await (await fetch(`${cluster.nodes[0]!.url}/readyz`)).json()).bus === 'down',
      'node reports the bus down',
    );
    a1.insert(a1.text.length, 'during-a|');
    b.insert(0, 'during-b|');
    await waitFor(() => a2.text.includes('during-a|'), 'same-node clients still see each other');
    await Promise.all([a1.saved(), b.saved()]);
    assert.ok((await fetch(`${cluster.nodes[0]!.url}/readyz`)).ok, 'node stays ready without the bus');
    await redis.start();
    await waitFor(
      () => [a1, a2, b].every((c) => c.text.includes('during-a|') && c.text.includes('during-b|')),
      'nodes re-converge after Redis returns',
      15_000,
    );
    assert.equal(a1.text, b.text);
  });

  it('C8 SIGTERM drains a node: its clients move to another node and nothing is lost', async () => {
    const seed = testSeed('C8');
    const rand = prng(seed);
    const pad = `drain-${run}`;
    const holder = await cluster.nodeFor(pad);
    const cs = [0, 1].map(() => new ReconnectingClient(() => cluster.wsUrl, pad, rand));
    closers.push(() => cs.forEach((c) => c.stop()));
    await waitFor(() => cs.every((c) => c.live), 'clients connected');
    let n = 0;
    const typing = setInterval(() => cs.forEach((c, i) => c.type(`d${i}-${n}|`), n++), 15);
    try {
      await waitFor(() => cs.every((c) => c.edits.some((e) => c.isAcked(e))), 'edits flowing');
      const exit = cluster.kill(holder, 'SIGTERM');
      await waitFor(() => cs.every((c) => c.reconnects > 0 && c.live), 'clients reconnected elsewhere', 10_000);
      await exit;
      assert.equal(cluster.nodes[holder]!.child, null, 'the drained node exited');
    } finally {
      clearInterval(typing);
    }
    await waitFor(() => cs.every((c) => c.edits.every((e) => c.isAcked(e))), 'every edit acknowledged', 10_000);
    const stored = await textAt(cluster.url, pad);
    const all = cs.flatMap((c) => c.edits.map((e) => e.token));
    assert.deepEqual(
      all.filter((t) => !stored.includes(t)),
      [],
      'nothing lost in the drain',
    );
    await cluster.startNode(holder);
  });

  it('C9 two browsers on different nodes (one through HAProxy) see each other live', async () => {
    let browser: Browser | null = null;
    try {
      browser = await launchBrowser();
      const pad = `browser-${run}`;
      const viaLb = await cluster.nodeFor(pad);
      const other = cluster.nodes[(viaLb + 1) % cluster.nodes.length]!;
      const a = await (await browser.newContext()).newPage();
      const b = await (await browser.newContext()).newPage();
      await a.goto(`${cluster.url}/${pad}`);
      await b.goto(`${other.url}/${pad}`);
      await Promise.all([waitForStatus(a, 'saved'), waitForStatus(b, 'saved')]);
      await a.click('.cm-content');
      await a.keyboard.type('typed on the balanced node');
      await b.waitForFunction(
        () => window.padmesh?.doc.getText('content').toString().includes('typed on the balanced node'),
        null,
        { timeout: 10_000 },
      );
      await b.click('.cm-content');
      await b.keyboard.press('Control+End');
      await b.keyboard.type(' / and on another');
      await a.waitForFunction(
        () => window.padmesh?.doc.getText('content').toString().includes('and on another'),
        null,
        { timeout: 10_000 },
      );
      await a.waitForSelector('.cm-ySelectionCaret', { timeout: 10_000 });
      await a.screenshot({ path: 'test-artifacts/cluster-two-nodes.png' });
    } finally {
      await browser?.close();
    }
  });
});
