import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer } from '../../client/codec-server';
import { AesGcmCodec } from '../../platform/encryption/codec';
import { parseKeyRing } from '../../platform/encryption/key-ring';

// The Web UI's codec server decodes incidents for those allowed to read them, and for nobody else.

const UI = 'http://127.0.0.1:8233';
const codec = new AesGcmCodec(parseKeyRing(`k1:${randomBytes(32).toString('base64')}`));
const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ customer: 'ACME SAS' })).toString('base64') };

async function sealed() {
  const [p] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ customer: 'ACME SAS' })) }]);
  return { metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') };
}

const call = (url: string, headers: Record<string, string>, body: unknown, method = 'POST') =>
  fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? JSON.stringify(body) : undefined });

describe('codec server with a token', () => {
  let server: Awaited<ReturnType<typeof startCodecServer>>;
  beforeAll(async () => {
    server = await startCodecServer({ codec, uiOrigins: [UI], token: 'codec-token-0123456789' });
  });
  afterAll(async () => server?.close());

  it('decodes for the holder of the token and refuses without it', async () => {
    const payloads = [await sealed()];
    const ok = await call(`${server.url}/decode`, { authorization: 'Bearer codec-token-0123456789', origin: UI }, { payloads });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    const [decoded] = ((await ok.json()) as { payloads: typeof plain[] }).payloads;
    expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toEqual({ customer: 'ACME SAS' });
    expect((await call(`${server.url}/decode`, { origin: UI }, { payloads })).status).toBe(401);
    expect((await call(`${server.url}/decode`, { authorization: 'Bearer wrong-token-xxxxxxxxxx', origin: UI }, { payloads })).status).toBe(401);
  });

  it('refuses other origins, with no CORS grant, and answers the UI preflight', async () => {
    const other = await call(`${server.url}/decode`, { authorization: 'Bearer codec-token-0123456789', origin: 'https://evil.example' }, { payloads: [] });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call(`${server.url}/decode`, { origin: UI, 'access-control-request-method': 'POST' }, undefined, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('encodes what it decodes back, and says clearly what is wrong with a bad body', async () => {
    const enc = await call(`${server.url}/encode`, { authorization: 'Bearer codec-token-0123456789' }, { payloads: [plain] });
    const [encoded] = ((await enc.json()) as { payloads: typeof plain[] }).payloads;
    expect(Buffer.from(encoded.metadata!.encoding, 'base64').toString()).toBe('binary/encrypted');
    const dec = await call(`${server.url}/decode`, { authorization: 'Bearer codec-token-0123456789' }, { payloads: [encoded] });
    expect(((await dec.json()) as { payloads: typeof plain[] }).payloads[0].data).toBe(plain.data);
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
