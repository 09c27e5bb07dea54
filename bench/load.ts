import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { round, type Benchmark, type BenchRow } from './bench.ts';

/**
 * Load through the local host (loopback only, bounded in time): My Services (50 subscriptions) against a
 * minimal v4 handler doing the same single Azurite query on the same host, at 1, 8, 32 and 128 connections;
 * a write route (one-off charges); and the host's harness alone against bare node:http, for information.
 */
interface Target {
  url: string;
  bareUrl: string;
  customerId: string;
  viewer: string;
  partner: string;
}

function startServer(): Promise<{ child: ChildProcess; target: Target }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, target: JSON.parse(line) as Target });
    });
    child.once('exit', (code) => reject(new Error(`load server exited with ${code}`)));
  });
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function measure(options: autocannon.Options): Promise<Measured> {
  const result = await autocannon({ ...options, timeout: 10 });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const describe = (m: Measured) =>
  `${round(m.rps, 0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, errors ${m.errors}, non-2xx ${m.non2xx}`;

export const load: Benchmark = async ({ quick }) => {
  const { child, target } = await startServer();
  const duration = quick ? 1 : 3;
  const rows: BenchRow[] = [];
  try {
    const ours = (connections: number) =>
      measure({
        url: `${target.url}/api/customers/${target.customerId}/subscriptions`,
        connections,
        duration,
        headers: { authorization: `Bearer ${target.viewer}` },
      });
    const minimal = (connections: number) =>
      measure({ url: `${target.url}/api/bench/minimal/${target.customerId}`, connections, duration });
    await ours(8);
    await minimal(8);
    for (const connections of [1, 8, 32, 128]) {
      const a = await ours(connections);
      const b = await minimal(connections);
      rows.push({
        name: connections === 32 ? 'throughput/my-services' : `throughput/my-services/c${connections}`,
        value: round(a.rps, 0),
        unit: 'req/s',
        baseline: round(b.rps, 0),
        ratio: round(a.rps / b.rps),
        note: `${connections} connections; ours: ${describe(a)}; minimal v4 handler: ${describe(b)}${connections === 32 ? '; target ratio >= 0.8' : ''}`,
      });
    }
    for (const connections of [1, 8, 32, 128]) {
      const w = await measure({
        url: `${target.url}/api/customers/${target.customerId}/one-off-charges`,
        method: 'POST',
        connections,
        duration,
        headers: { authorization: `Bearer ${target.partner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ date: '2026-01-15', description: 'Load test charge', unitPrice: '1.00' }),
      });
      rows.push({
        name: `throughput/write/c${connections}`,
        value: round(w.rps, 0),
        unit: 'req/s',
        baseline: null,
        ratio: null,
        note: `POST one-off charge, ${connections} connections: ${describe(w)}`,
      });
    }
    const harness = await measure({ url: `${target.url}/api/bench/hello`, connections: 32, duration });
    const bare = await measure({ url: `${target.bareUrl}/`, connections: 32, duration });
    rows.push({
      name: 'throughput/harness',
      value: round(harness.rps, 0),
      unit: 'req/s',
      baseline: round(bare.rps, 0),
      ratio: round(harness.rps / bare.rps),
      note: `trivial v4 handler on the local host vs bare node:http (information), 32 connections`,
    });
    return rows;
  } finally {
    child.kill('SIGTERM');
  }
};
