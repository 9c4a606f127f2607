/**
 * V8 flags every production start of a node uses (`npm start`, the Dockerfile, the cluster
 * launcher, the bench; a test checks they agree).
 *
 * --max-semi-space-size=4 (MiB; Node 20's default lets it grow to 16): a burst of
 * connections made V8 grow its young generation to ~48 MiB and keep the pages, which is
 * what "RSS per connection" measured: 26 KiB per idle socket at 1,000 sockets, against
 * 7 KiB with the young generation capped, with no measurable change in throughput
 * (bench/README.md, "Memory per connection").
 */
export const NODE_FLAGS = ['--max-semi-space-size=4'] as const;
