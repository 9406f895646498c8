import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { Config } from '../config/schema';
import { decodePayload, encodePayload, utf8 } from '../temporal-wire';
import { atRestKeyRing, loadKeyRing, type KeyRing } from './key-ring';

// Payloads leave the process only as AES-256-GCM ciphertext: workflow inputs and results, signals,
// updates, queries, memos and activity payloads. The key id travels in the metadata, so any key of the
// ring decrypts what it wrote. Search attributes stay readable, since the server must index them; they
// hold no names, addresses or paths.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadKeyMissing extends Error {
  constructor(keyId: string) {
    super(
      `This payload was encrypted with key "${keyId}", which is not in the key ring. Add that key back (INCIDENT_PAYLOAD_KEYS) to read incidents written with it.`,
    );
    this.name = 'PayloadKeyMissing';
  }
}

const text = (s: string) => Buffer.from(s, 'utf8');

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.ring.keys.get(this.ring.activeKeyId)!;
    return payloads.map((payload) => {
      const plain = encodePayload(payload);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: text(ENCRYPTED_ENCODING),
          'encryption-cipher': text(CIPHER),
          'encryption-key-id': text(this.ring.activeKeyId),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return this.open(payloads);
  }

  /** decode(), synchronously: for a reader of a thousand memos, whom a promise each would slow down. */
  open(payloads: Payload[]): Payload[] {
    return payloads.map((payload) => {
      // Payloads written before encryption was enabled (or by the server itself) pass through.
      if (utf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = utf8(payload.metadata?.['encryption-key-id']);
      const key = this.ring.keys.get(keyId);
      if (!key) throw new PayloadKeyMissing(keyId);
      const data = payload.data ?? new Uint8Array(0);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const head = decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES));
      const tail = decipher.final(); // empty for GCM, which is a stream cipher; checks the tag
      const plain = tail.length ? Buffer.concat([head, tail]) : head;
      return decodePayload(plain);
    });
  }
}

/** A synchronous decoder for this installation's payloads (see loadKeyRing); undefined: none are encrypted. */
export function installationPayloadOpener(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  namespace: string,
): ((payloads: Payload[]) => Payload[]) | undefined {
  const ring = loadKeyRing(env, dataDir, { namespace });
  return ring && payloadOpenerFor(ring);
}

export function payloadOpenerFor(ring: KeyRing): (payloads: Payload[]) => Payload[] {
  const codec = new AesGcmCodec(ring);
  return (payloads) => codec.open(payloads);
}

/** The one data converter shared by the worker, the CLI and the ingestion service. */
export function dataConverterFor(ring: KeyRing | undefined): DataConverter | undefined {
  return ring ? { payloadCodecs: [new AesGcmCodec(ring)] } : undefined;
}

/** The converter for this installation (see loadKeyRing); undefined means payloads are not encrypted. */
export function installationDataConverter(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  opts: { create?: boolean; namespace?: string } = {},
): DataConverter | undefined {
  return dataConverterFor(loadKeyRing(env, dataDir, opts));
}

/**
 * What a worker process encrypts with: its namespace's key ring, for payloads and, per `atRest`, for
 * evidence and reports on disk. `create` makes the embedded default's key on first start.
 */
export function installationEncryption(
  env: NodeJS.ProcessEnv,
  config: Pick<Config, 'dataDir' | 'atRest' | 'temporal'>,
  { create = false } = {},
): { dataConverter?: DataConverter; atRest?: KeyRing } {
  const ring = loadKeyRing(env, config.dataDir, { create, namespace: config.temporal.namespace });
  return { dataConverter: dataConverterFor(ring), atRest: atRestKeyRing(config.atRest, ring) };
}

/**
 * For the codec server: each namespace's codec, from that namespace's key ring (see loadKeyRing), loaded
 * on first use and kept; undefined for a namespace this installation holds no keys for.
 */
export function codecsByNamespace(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): (namespace: string) => PayloadCodec | undefined {
  const codecs = new Map<string, PayloadCodec | undefined>();
  return (namespace) => {
    if (!codecs.has(namespace)) {
      const ring = loadKeyRing(env, dataDir, { namespace });
      codecs.set(namespace, ring ? new AesGcmCodec(ring) : undefined);
    }
    return codecs.get(namespace);
  };
}
