import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { listIncidents, visibilityPages, type PayloadOpener } from '../../client/incident-list';
import { openGrpcChannel } from '../../platform/grpc-channel';
import {
  AesGcmCodec,
  dataConverterFor,
  ENCRYPTED_ENCODING,
  PayloadKeyMissing,
  payloadOpenerFor,
} from '../../platform/encryption/codec';
import { KeyRingError, parseKeyRing } from '../../platform/encryption/key-ring';
import { createIncidentWorker } from '../../worker/create-worker';
import * as api from '../../workflows/incident-api';
import { labConfig, uniqueId } from '../helpers/fixtures';
import { serverDatabaseFiles } from '../helpers/server-database';

// Incident data reaches the Temporal server only as AES-256-GCM ciphertext, and keys rotate without
// losing old incidents.

const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const ring1 = parseKeyRing(`k1:${K1}`);
const ring12 = parseKeyRing(`k1:${K1},k2:${K2}`);
const ring2 = parseKeyRing(`k2:${K2}`);

const payload = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});

describe('payload codec', () => {
  it('encrypts with the active key, names it in the metadata, and decrypts with any key of the ring', async () => {
    const secret = { customer: 'ACME SAS', email: 'security@acme.example' };
    const [sealed] = await new AesGcmCodec(ring1).encode([payload(secret)]);
    expect(Buffer.from(sealed.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('ACME');
    const [opened] = await new AesGcmCodec(ring12).decode([sealed]);
    expect(JSON.parse(Buffer.from(opened.data!).toString())).toEqual(secret);
  });

  it('refuses a payload whose key left the ring with a message that says what to do, and a tampered one', async () => {
    const [sealed] = await new AesGcmCodec(ring1).encode([payload('x')]);
    await expect(new AesGcmCodec(ring2).decode([sealed])).rejects.toThrow(new PayloadKeyMissing('k1'));
    expect(new PayloadKeyMissing('k1').message).toMatch(/Add that key back \(INCIDENT_PAYLOAD_KEYS\)/);
    const tampered = { ...sealed, data: Buffer.from(sealed.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(new AesGcmCodec(ring1).decode([tampered])).rejects.toThrow(/authenticate/);
  });

  it('passes plain payloads through, so incidents started before encryption stay readable', async () => {
    const plain = payload({ a: 1 });
    expect(await new AesGcmCodec(ring1).decode([plain])).toEqual([plain]);
  });

  it('validates the key ring with clear messages', () => {
    expect(() => parseKeyRing('k1:c2hvcnQ=')).toThrow(
      'Payload key "k1" is 5 bytes; AES-256 needs exactly 32 (openssl rand -base64 32).',
    );
    expect(() => parseKeyRing(`k1:${K1}`, 'k9')).toThrow(
      new KeyRingError('The active payload key "k9" is not in the key ring.'),
    );
    expect(parseKeyRing(`k1:${K1}\nk2:${K2}`).activeKeyId).toBe('k2');
  });
});

describe('encrypted incidents on the dev server', () => {
  let connection: Connection;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('devServerAddress') });
    nativeConnection = await NativeConnection.connect({ address: inject('devServerAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  it('leaves no title, customer name, email address or evidence path in the server database, and rotates keys without losing the incident', async () => {
    const { config, images } = await labConfig({ systems: ['vault-01'] });
    config.temporal.taskQueue = uniqueId('enc');
    const marker = uniqueId('Zebra');
    const title = `Exfiltration ${marker}`;
    const customer = `Customer ${marker}`;
    const email = `${marker.toLowerCase()}@customer.example`;
    const incidentId = uniqueId('ENC');
    const run = async (ring: ReturnType<typeof parseKeyRing>, fn: (incidents: IncidentClient) => Promise<void>) => {
      const dataConverter = dataConverterFor(ring);
      const { worker, mailer } = await createIncidentWorker(
        nativeConnection,
        config,
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        { dataConverter },
      );
      try {
        await worker.runUntil(() =>
          fn(new IncidentClient(new Client({ connection, dataConverter }), config.temporal.taskQueue)),
        );
      } finally {
        mailer.close();
      }
    };

    await run(ring1, async (incidents) => {
      await incidents.open({
        incidentId,
        title,
        severity: 'SEV1',
        category: 'data-breach',
        systems: ['vault-01'],
        detection: `DLP alert ${marker}`,
        awareAt: new Date().toISOString(),
        openedBy: 'alice',
      });
      await incidents.waitFor(incidentId, (v) => v.phase !== 'containment');
      await incidents.act(incidentId, api.assessUpdate, {
        actor: 'dpo',
        dataImpact: 'personal',
        customers: [{ name: customer, email }],
      });
    });

    // Key 2 becomes active: the incident started under key 1 is read and continued.
    await run(ring12, async (incidents) => {
      await incidents.act(incidentId, api.noteUpdate, { actor: 'bob', text: `after rotation ${marker}` });
      const view = await incidents.view(incidentId);
      expect(view.state.title).toBe(title);
      expect(view.state.assessment?.customers).toEqual([{ name: customer, email }]);
    });

    // Without key 1, what it wrote cannot be read, and the error says why.
    const withoutKey1 = new Client({ connection, dataConverter: dataConverterFor(ring2) });
    await expect(withoutKey1.workflow.getHandle(incidentId).describe()).rejects.toThrow(
      /encrypted with key "k1", which is not in the key ring/,
    );

    // Nothing readable reached the server's database (its write-ahead log included).
    const evidencePath = path.join(config.dataDir, 'evidence', incidentId);
    for (const { file, text } of await serverDatabaseFiles(inject('devServerDbFile'))) {
      for (const secret of [marker, email, customer, evidencePath, images['vault-01']])
        expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    // A list by someone without the keys still lists the incident, saying why its title is not shown.
    const channel = openGrpcChannel({ address: inject('devServerAddress'), namespace: 'default' });
    const rowFor = async (open: PayloadOpener | undefined) =>
      (await listIncidents(visibilityPages(channel, 'default'), open, {})).find((r) => r.incidentId === incidentId);
    try {
      expect((await rowFor(undefined))?.title).toBe(
        '(unreadable: encrypted, and this CLI has no payload keys (INCIDENT_PAYLOAD_KEYS))',
      );
      expect((await rowFor(payloadOpenerFor(ring2)))?.title).toMatch(
        /^\(unreadable: .*key "k1", which is not in the key ring/,
      );
      expect((await rowFor(payloadOpenerFor(ring12)))?.title).toBe(title);
    } finally {
      channel.close();
    }
    await new Client({ connection, dataConverter: dataConverterFor(ring12) }).workflow
      .getHandle(incidentId)
      .terminate('test finished');
  });
});
