import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, GetObjectRetentionCommand } from '@aws-sdk/client-s3';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig, type Config } from '../../platform/config/schema';
import { dataConverterFor } from '../../platform/encryption/codec';
import { atRestKeyRing, loadKeyRing } from '../../platform/encryption/key-ring';
import { parseS3Location } from '../../stores/s3/s3-objects';
import { createIncidentWorker, type WorkerParts } from '../../worker/create-worker';
import { checkingClient, s3Env } from '../helpers/s3-config';
import { LOCKED_BUCKET } from '../helpers/s3-server';
import { expectNoStack, expectOk, pollUntil, runCliProcess, uniqueId, type CliResult } from './harness';

// A worker configured with storage.s3 puts an incident's forensic copy in the object store, encrypted at
// rest and locked; `incident evidence export`, run as a user runs it, reads that exact version back and
// writes the original bytes, checked against the audit trail. Nothing of the copy is under the data dir.

const MiB = 1024 * 1024;
const MARKER = Buffer.from('Globex customer card 4111-1111-1111-1111');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dataDir: string;
let image: Buffer;
let parts: WorkerParts;
let running: Promise<void>;
let connection: NativeConnection;
let cli: (extra: NodeJS.ProcessEnv, ...args: string[]) => Promise<CliResult>;
let record: any;
let treeRecord: any;
let id: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-s3-cli-'));
  await mkdir(path.join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, 'keys', 'payload-keys'), `k1:${randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
  });
  image = randomBytes(11 * MiB + 7);
  for (let at = 0; at + MARKER.length <= image.length; at += 256 * 1024) MARKER.copy(image, at);
  await writeFile(path.join(dataDir, 'web-01.img'), image);
  await mkdir(path.join(dataDir, 'share', 'etc'), { recursive: true });
  await writeFile(path.join(dataDir, 'share', 'etc', 'shadow'), `root:$6$${MARKER.toString()}:19000\n`);
  await writeFile(path.join(dataDir, 'share', 'customers.csv'), `name,card\nGlobex,${MARKER.toString()}\n`);
  const fileContent = {
    dataDir,
    storage: { s3: { endpoint: inject('s3Endpoint'), bucket: LOCKED_BUCKET, retentionDays: 10 } },
    systems: {
      'web-01': {
        isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
        evidence: { driver: 'local', path: path.join(dataDir, 'web-01.img') },
      },
      'files-01': {
        isolation: { driver: 'command', isolate: ['true'], release: ['true'] },
        evidence: { driver: 'local', path: path.join(dataDir, 'share') },
      },
    },
  };
  const configFile = path.join(dataDir, 'incident.config.json');
  await writeFile(configFile, JSON.stringify(fileContent, null, 2));
  const config: Config = parseConfig(fileContent, {}, configFile);
  config.temporal.taskQueue = uniqueId('s3-export');
  const ring = loadKeyRing({}, dataDir)!;
  connection = await NativeConnection.connect({ address: inject('devServerAddress') });
  parts = await createIncidentWorker(
    connection,
    config,
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    { dataConverter: dataConverterFor(ring) },
    { atRest: atRestKeyRing(config.atRest, ring), env: s3Env() },
  );
  running = parts.worker.run();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('devServerAddress'),
    INCIDENT_TASK_QUEUE: config.temporal.taskQueue,
    INCIDENT_CONFIG: configFile,
    INCIDENT_ACTOR: 'alice',
    NO_COLOR: '1',
  };
  for (const name of ['INCIDENT_PAYLOAD_KEYS', 'INCIDENT_PAYLOAD_KEYS_FILE', 'INCIDENT_DATA_DIR', 'AWS_ACCESS_KEY_ID'])
    delete env[name];
  cli = (extra, ...args) => runCliProcess(args, { ...env, ...extra });
  id = uniqueId('INC-S3');
  expectOk(
    await cli(
      {},
      ...['open', '--id', id, '--title', 'Card data taken from web-01', '--severity', 'SEV1'],
      ...['--category', 'data-breach', '--system', 'web-01', '--system', 'files-01', '--detection', 'EDR alert'],
    ),
  );
  const view = await pollUntil(
    'both copies',
    async () => JSON.parse((await cli({}, 'show', id, '--json')).stdout),
    (v) => v.state.systems.length === 2 && v.state.systems.every((sys: any) => sys.evidence.state === 'done'),
    120_000,
  );
  record = view.state.systems.find((sys: any) => sys.name === 'web-01').evidenceRecords[0];
  treeRecord = view.state.systems.find((sys: any) => sys.name === 'files-01').evidenceRecords[0];
});

afterAll(async () => {
  parts?.worker.shutdown();
  await running;
  parts?.mailer.close();
  await parts?.storage.close();
  await connection?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('evidence in the object store, exported with incident evidence export', () => {
  it('records an s3:// location whose version is locked, encrypted, with the hash of the original bytes', async () => {
    expect(record.location).toMatch(
      new RegExp(`^s3://${LOCKED_BUCKET}/evidence/${id}/web-01/round-1/image\\.bin\\.enc\\?versionId=.+$`),
    );
    expect(record.sha256).toBe(sha(image));
    expect(record.sizeBytes).toBe(image.length);
    const { key, versionId } = parseS3Location(record.location)!;
    const checker = checkingClient();
    try {
      const retention = await checker.send(
        new GetObjectRetentionCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId }),
      );
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      const object = await checker.send(
        new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: key, VersionId: versionId }),
      );
      expect(Buffer.from(await object.Body!.transformToByteArray()).includes(MARKER)).toBe(false);
    } finally {
      checker.destroy();
    }
    await expect(stat(path.join(dataDir, 'evidence'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes the original bytes read from the object store, verified against the audit trail', async () => {
    const out = path.join(dataDir, 'web-01.exported.img');
    const r = expectOk(await cli(s3Env(), 'evidence', 'export', id, 'web-01', '--out', out));
    expect(r.stdout).toMatch(
      new RegExp(
        `^Exported web-01 \\(round 1\\) of ${id} to ${out}: ${image.length} bytes, SHA-256 ${record.sha256} matches the audit trail .*decrypted with key "k1"\\)\\.\\n$`,
      ),
    );
    expect(sha(await readFile(out))).toBe(sha(image));
  });

  it('exports a directory copy file by file, each checked against the manifest the trail vouches for', async () => {
    expect(treeRecord.location).toBe(`s3://${LOCKED_BUCKET}/evidence/${id}/files-01/round-1/tree`);
    const out = path.join(dataDir, 'files-01.exported');
    const r = expectOk(await cli(s3Env(), 'evidence', 'export', id, 'files-01', '--out', out));
    expect(r.stdout).toMatch(new RegExp(`^Exported files-01 \\(round 1\\) of ${id} to ${out}: 2 files`));
    expect(await readFile(path.join(out, 'etc', 'shadow'), 'utf8')).toBe(`root:$6$${MARKER.toString()}:19000\n`);
    expect(await readFile(path.join(out, 'customers.csv'), 'utf8')).toBe(`name,card\nGlobex,${MARKER.toString()}\n`);
    const checker = checkingClient();
    try {
      const stored = await checker.send(
        new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key: `evidence/${id}/files-01/round-1/tree/customers.csv.enc` }),
      );
      expect(Buffer.from(await stored.Body!.transformToByteArray()).includes(MARKER)).toBe(false);
    } finally {
      checker.destroy();
    }
  });

  it('bundles the case with the copies read from the object store, and the bundle verifies', async () => {
    const out = path.join(dataDir, 'case-dir');
    expectOk(await cli(s3Env(), 'bundle', id, '--out', out, '--with-evidence'));
    const round = (system: string) => path.join(out, 'evidence', system, 'round-1');
    expect(sha(await readFile(path.join(round('web-01'), 'image.bin')))).toBe(sha(image));
    expect(JSON.parse(await readFile(path.join(round('web-01'), 'evidence.json'), 'utf8')).location).toBe(
      record.location,
    );
    expect(await readFile(path.join(round('files-01'), 'tree', 'customers.csv'), 'utf8')).toBe(
      `name,card\nGlobex,${MARKER.toString()}\n`,
    );
    expect(sha(await readFile(path.join(round('files-01'), 'MANIFEST.sha256')))).toBe(treeRecord.sha256);
    const verdict = await cli({}, 'verify-bundle', out);
    expectOk(verdict);
    expect(verdict.stdout).toContain('web-01');
  });

  it('says which credentials to set when the CLI has none', async () => {
    const out = path.join(dataDir, 'web-01.none.img');
    const r = await cli({}, 'evidence', 'export', id, 'web-01', '--out', out);
    expectNoStack(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('storage.s3 is set but its credentials are not: set AWS_ACCESS_KEY_ID');
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps rendered reports in the bucket, locked and sealed, and reads them back with report --stored', async () => {
    expectOk(await cli({}, 'reports', id));
    const body = await pollUntil(
      'the stored RFO',
      async () => cli(s3Env(), 'report', id, '--kind', 'rfo', '--format', 'md', '--stored'),
      (r) => r.code === 0,
      60_000,
    );
    expect(body.stdout).toContain('# Reason for Outage: Card data taken from web-01');
    await expect(stat(path.join(dataDir, 'reports'))).rejects.toMatchObject({ code: 'ENOENT' });
    const checker = checkingClient();
    try {
      const Key = `reports/${id}/rfo.md.enc`;
      const retention = await checker.send(new GetObjectRetentionCommand({ Bucket: LOCKED_BUCKET, Key }));
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      const stored = await checker.send(new GetObjectCommand({ Bucket: LOCKED_BUCKET, Key }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).toString('utf8')).not.toContain(
        'Reason for Outage',
      );
    } finally {
      checker.destroy();
    }
    const missing = await cli(s3Env(), 'report', `${id}-none`, '--kind', 'rfo', '--stored');
    expectNoStack(missing);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `No rfo report rendered for ${id}-none under reports/${id}-none/ in bucket ${LOCKED_BUCKET} at`,
    );
    const noCredentials = await cli({}, 'report', id, '--kind', 'rfo', '--stored');
    expectNoStack(noCredentials);
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain('set AWS_ACCESS_KEY_ID');
  });
});
