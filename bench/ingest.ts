import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startIngest } from '../services/ingest/start';
import { parseConfig } from '../platform/config/schema';
import { resolveTemporalCli } from '../platform/binaries';
import { freePort, startDevServer } from '../platform/dev-server';
import { SEARCH_ATTRIBUTES } from '../workflows/incident-api';

// Alert ingestion under sustained load: alerts per second into 10 open incidents, and the p50 / p99 time
// from the POST to Temporal's acceptance, beside a bare node:http handler (read, parse, answer 202) on the
// same machine in the same run. Usage: npm run bench:ingest [-- ALERTS [CONCURRENCY]]

const PROJECT_DIR = path.resolve(__dirname, '..', '..');
const TOKEN = 'bench-token-0123456789abcdef';

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function load(
  url: string,
  total: number,
  concurrency: number,
  body: (i: number) => string,
): Promise<{ perSecond: number; p50: number; p99: number; failures: number }> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: body(i),
        });
        await res.arrayBuffer();
        if (res.status !== 202) failures++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 2000);
  const concurrency = Number(process.argv[3] ?? 20);
  const cliPath = await resolveTemporalCli({ cacheDir: path.join(PROJECT_DIR, '.cache') });
  if (!cliPath) throw new Error('The benchmark needs the Temporal CLI.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-ingest-'));
  const server = await startDevServer({
    searchAttributes: SEARCH_ATTRIBUTES,
    cliPath,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'server.log'),
  });
  const bare = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  try {
    const config = parseConfig(
      { dataDir: dir, ingest: { port: 0, sources: { generic: { bearerTokens: [TOKEN] } } } },
      {},
    );
    const connection = await Connection.connect({ address: server.address });
    const ingest = await startIngest(config, new Client({ connection }), () => undefined);
    const observedAt = new Date().toISOString();
    const alert = (i: number) =>
      JSON.stringify({
        id: `bench-${i}`,
        correlationKey: `incident-${i % 10}`,
        severity: 'SEV2',
        title: `Benchmark alert ${i}`,
        observedAt,
      });
    // Open the 10 incidents first, so that the measured alerts attach to open incidents.
    await load(`${ingest.url}/v1/alerts/generic`, 10, 10, alert);
    const baseline = await load(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, total, concurrency, alert);
    const measured = await load(`${ingest.url}/v1/alerts/generic`, total, concurrency, (i) => alert(i + 10));
    console.log(
      `${total} alerts into 10 open incidents, ${concurrency} concurrent senders (no worker running: acceptance by Temporal is what is timed):`,
    );
    console.log(
      `  bare node:http handler: ${baseline.perSecond.toFixed(0)} alerts/s, p50 ${baseline.p50.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms`,
    );
    console.log(
      `  ingestion service:      ${measured.perSecond.toFixed(0)} alerts/s, p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms, ${measured.failures} not accepted`,
    );
    await ingest.close();
    await connection.close();
  } finally {
    bare.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
