import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort, startDevServer } from '../platform/dev-server';
import { floorAlertSignal, type FloorActivities } from './floor-workflow';

// The floor bench/storm.ts measures this system against: the least a Temporal program can do for an alert.
// A node:http handler signals-with-start a workflow (so alerts for an open key join it, as they join an
// incident), which runs one activity that sends one mail with nodemailer. Its own dev server (a SQLite
// file, as the embedded default has) and task queue, in its own process, as `npm start` is. Run by
// bench/storm.ts with STORM_CLI, STORM_DIR, STORM_SMTP_PORT and STORM_FLOOR_BUNDLE; prints "READY <url>".

const TASK_QUEUE = 'storm-floor';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: bench/floor-app.js is started by bench/storm.js`);
  return value;
}

async function main(): Promise<void> {
  const dir = required('STORM_DIR');
  const server = await startDevServer({
    cliPath: required('STORM_CLI'),
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'dev-server.log'),
    searchAttributes: [],
  });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(required('STORM_SMTP_PORT')),
    secure: false,
    ignoreTLS: true,
  });
  const activities: FloorActivities = {
    async sendFloorMail(subject) {
      await transport.sendMail({ from: 'floor@example.com', to: 'cto@example.com', subject, text: subject });
    },
  };
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: server.address }),
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: required('STORM_FLOOR_BUNDLE') },
    activities,
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const web = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const alert = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { correlationKey: string; title: string };
      client.workflow
        .signalWithStart('floorIncident', {
          workflowId: alert.correlationKey,
          taskQueue: TASK_QUEUE,
          args: [alert.correlationKey, alert.title],
          signal: floorAlertSignal,
          signalArgs: [alert.title],
        })
        .then(
          () => res.writeHead(202).end('{"accepted":1}'),
          (err: Error) => res.writeHead(503).end(JSON.stringify({ error: err.message })),
        );
    });
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
  console.log(`READY http://127.0.0.1:${(web.address() as AddressInfo).port}`);
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
