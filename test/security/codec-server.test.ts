import { randomBytes } from 'node:crypto';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer } from '../../services/codec-server';
import { AesGcmCodec, codecsByNamespace } from '../../platform/encryption/codec';
import { loadKeyRing, parseKeyRing } from '../../platform/encryption/key-ring';

// The Web UI's codec server decodes incidents for those allowed to read them, and for nobody else.

const UI = 'http://127.0.0.1:8233';
const codec = new AesGcmCodec(parseKeyRing(`k1:${randomBytes(32).toString('base64')}`));
const plain = {
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from(JSON.stringify({ customer: 'ACME SAS' })).toString('base64'),
};

async function sealed() {
  const [p] = await codec.encode([
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ customer: 'ACME SAS' })) },
  ]);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
}

const call = (url: string, headers: Record<string, string>, body: unknown, method = 'POST') =>
  fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });

describe('codec server with a token', () => {
  let server: Awaited<ReturnType<typeof startCodecServer>>;
  beforeAll(async () => {
    server = await startCodecServer({ codec, uiOrigins: [UI], token: 'codec-token-0123456789' });
  });
  afterAll(async () => server?.close());

  it('decodes for the holder of the token and refuses without it', async () => {
    const payloads = [await sealed()];
    const ok = await call(
      `${server.url}/decode`,
      { authorization: 'Bearer codec-token-0123456789', origin: UI },
      { payloads },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    const [decoded] = ((await ok.json()) as { payloads: (typeof plain)[] }).payloads;
    expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toEqual({ customer: 'ACME SAS' });
    expect((await call(`${server.url}/decode`, { origin: UI }, { payloads })).status).toBe(401);
    expect(
      (await call(`${server.url}/decode`, { authorization: 'Bearer wrong-token-xxxxxxxxxx', origin: UI }, { payloads }))
        .status,
    ).toBe(401);
  });

  it('refuses other origins, with no CORS grant, and answers the UI preflight', async () => {
    const other = await call(
      `${server.url}/decode`,
      { authorization: 'Bearer codec-token-0123456789', origin: 'https://evil.example' },
      { payloads: [] },
    );
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call(
      `${server.url}/decode`,
      { origin: UI, 'access-control-request-method': 'POST' },
      undefined,
      'OPTIONS',
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('encodes what it decodes back, and says clearly what is wrong with a bad body', async () => {
    const enc = await call(
      `${server.url}/encode`,
      { authorization: 'Bearer codec-token-0123456789' },
      { payloads: [plain] },
    );
    const [encoded] = ((await enc.json()) as { payloads: (typeof plain)[] }).payloads;
    expect(Buffer.from(encoded.metadata!.encoding, 'base64').toString()).toBe('binary/encrypted');
    const dec = await call(
      `${server.url}/decode`,
      { authorization: 'Bearer codec-token-0123456789' },
      { payloads: [encoded] },
    );
    expect(((await dec.json()) as { payloads: (typeof plain)[] }).payloads[0].data).toBe(plain.data);
    const bad = await call(`${server.url}/decode`, { authorization: 'Bearer codec-token-0123456789' }, { nope: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/payloads/);
  });
});

describe('codec server of the embedded default (no token)', () => {
  let server: Awaited<ReturnType<typeof startCodecServer>>;
  beforeAll(async () => {
    server = await startCodecServer({ codec, uiOrigins: [UI, 'http://localhost:8233'] });
  });
  afterAll(async () => server?.close());

  it('answers only the Web UI from its own origin', async () => {
    const payloads = [await sealed()];
    expect((await call(`${server.url}/decode`, { origin: 'http://localhost:8233' }, { payloads })).status).toBe(200);
    expect((await call(`${server.url}/decode`, {}, { payloads })).status).toBe(401);
    expect((await call(`${server.url}/decode`, { origin: 'http://127.0.0.1:9999' }, { payloads })).status).toBe(403);
  });
});

describe('a key per tenant (namespace)', () => {
  let server: Awaited<ReturnType<typeof startCodecServer>>;
  let tenantA: AesGcmCodec;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'incident-tenant-keys-'));
    for (const tenant of ['tenant-a', 'tenant-b'])
      await writeFile(path.join(dir, `${tenant}.keys`), `${tenant}-k1:${randomBytes(32).toString('base64')}\n`, {
        mode: 0o600,
      });
    const env = { INCIDENT_PAYLOAD_KEYS_FILE: path.join(dir, '{namespace}.keys') };
    tenantA = new AesGcmCodec(loadKeyRing(env, dir, { namespace: 'tenant-a' })!);
    server = await startCodecServer({
      codec: codecsByNamespace(env, dir),
      uiOrigins: [UI],
      token: 'codec-token-0123456789',
    });
  });
  afterAll(async () => server?.close());

  it("decodes a tenant's incidents only with that tenant's keys, and says which namespace has none", async () => {
    const [p] = await tenantA.encode([
      {
        metadata: { encoding: Buffer.from('json/plain') },
        data: Buffer.from(JSON.stringify({ customer: 'ACME SAS' })),
      },
    ]);
    const payloads = [
      {
        metadata: Object.fromEntries(
          Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
        ),
        data: Buffer.from(p.data!).toString('base64'),
      },
    ];
    const as = (namespace: string) =>
      call(
        `${server.url}/decode`,
        { authorization: 'Bearer codec-token-0123456789', origin: UI, 'x-namespace': namespace },
        { payloads },
      );
    const ok = await as('tenant-a');
    expect(ok.status).toBe(200);
    expect(
      JSON.parse(
        Buffer.from(((await ok.json()) as { payloads: (typeof plain)[] }).payloads[0].data, 'base64').toString(),
      ),
    ).toEqual({ customer: 'ACME SAS' });
    const otherTenant = await as('tenant-b');
    expect(otherTenant.status).toBe(422);
    expect(((await otherTenant.json()) as { error: string }).error).toMatch(
      /encrypted with key "tenant-a-k1", which is not in the key ring/,
    );
    const unknown = await as('tenant-c');
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: string }).error).toBe(
      `INCIDENT_PAYLOAD_KEYS_FILE: cannot read ${path.join(dir, 'tenant-c.keys')} (ENOENT).`,
    );
    const traversal = await as('../../etc/passwd');
    expect(traversal.status).toBe(422);
    expect(((await traversal.json()) as { error: string }).error).toBe(
      'Namespace "../../etc/passwd" cannot name a key file: letters, digits, . _ - only.',
    );
  });

  it('gives each namespace of the embedded default its own key file', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-ns-keys-'));
    const a = loadKeyRing({}, dataDir, { create: true, namespace: 'tenant-a' })!;
    const d = loadKeyRing({}, dataDir, { create: true })!;
    expect((await stat(path.join(dataDir, 'keys', 'tenant-a', 'payload-keys'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'keys', 'payload-keys'))).mode & 0o777).toBe(0o600);
    expect(a.keys.get(a.activeKeyId)!.equals(d.keys.get(d.activeKeyId)!)).toBe(false);
  });
});
