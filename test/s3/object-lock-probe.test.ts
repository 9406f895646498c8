import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config/schema';
import { freePort } from '../../platform/dev-server';
import { DEFAULT_RETENTION_DAYS } from '../../platform/config/storage-schema';
import { S3EvidenceStore } from '../../stores/s3/s3-evidence-store';
import { openEvidenceStore } from '../../worker/storage';
import { s3Env, s3Settings } from '../helpers/s3-config';
import { UNLOCKED_BUCKET } from '../helpers/s3-server';

// The worker's start-up check that the bucket enforces Object Lock (a probe version it must fail to
// delete), on the run's versitygw: a locked bucket passes; a bucket without Object Lock, a server that lets
// a locked version be deleted (versitygw behind a proxy that says so), wrong credentials,
// missing credentials and an endpoint nobody listens on are each refused with their own message.

/**
 * A server that does not enforce Object Lock, as some S3-compatible servers do not: everything goes to the
 * real one, but a delete of a version is answered as done (204) without it reaching the server.
 */
async function lyingProxy(target: string): Promise<{ url: string; deletesAnswered: number; close(): Promise<void> }> {
  const state = { deletesAnswered: 0 };
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    if (req.method === 'DELETE' && req.url?.includes('versionId=')) {
      state.deletesAnswered++;
      req.resume();
      res.writeHead(204).end();
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get deletesAnswered() {
      return state.deletesAnswered;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const configWith = (s3: Record<string, unknown>) =>
  parseConfig({ dataDir: '/nonexistent', storage: { s3 } }, {}, 'test');

async function refusal(s3: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<string> {
  return openEvidenceStore(configWith(s3), undefined, env).then(
    (opened) => {
      opened.close();
      return 'started';
    },
    (err: Error) => err.message,
  );
}

describe('Object Lock probe at worker start', () => {
  it('passes on a bucket that enforces Object Lock, and the worker copies to it', async () => {
    const settings = s3Settings();
    const config = configWith({ endpoint: settings.endpoint, bucket: settings.bucket });
    expect(config.storage.s3).toMatchObject({
      region: 'us-east-1',
      forcePathStyle: true,
      retentionDays: DEFAULT_RETENTION_DAYS,
    });
    const opened = await openEvidenceStore(config, undefined, s3Env());
    expect(opened.evidence).toBeInstanceOf(S3EvidenceStore);
    opened.close();
  });

  it('refuses a bucket created without Object Lock', async () => {
    const message = await refusal({ endpoint: s3Settings().endpoint, bucket: UNLOCKED_BUCKET }, s3Env());
    expect(message).toMatch(
      new RegExp(
        `^Object Lock is not enforced by bucket ${UNLOCKED_BUCKET} at ${s3Settings().endpoint}: it refuses an object with a COMPLIANCE retention \\(InvalidRequest: Bucket is missing ObjectLockConfiguration\\)\\. .*The worker did not start\\.$`,
      ),
    );
  });

  it('refuses a server that accepts the retention and still lets the version be deleted', async () => {
    const liar = await lyingProxy(s3Settings().endpoint);
    try {
      const message = await refusal({ endpoint: liar.url, bucket: s3Settings().bucket }, s3Env());
      expect(message).toBe(
        `Object Lock is not enforced by bucket ${s3Settings().bucket} at ${liar.url}: a probe version under COMPLIANCE retention was deleted when it must not be. Forensic copies there could be deleted or replaced; create the bucket with Object Lock enabled (which turns versioning on) on a server that enforces it. The worker did not start.`,
      );
      expect(liar.deletesAnswered).toBe(1);
    } finally {
      await liar.close();
    }
  });

  it('refuses wrong credentials, naming the variables and never the secret', async () => {
    const env = { AWS_ACCESS_KEY_ID: s3Env().AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' };
    const message = await refusal({ endpoint: s3Settings().endpoint, bucket: s3Settings().bucket }, env);
    expect(message).toMatch(
      /^The object store could not be checked: the credentials were refused by http:\/\/127\.0\.0\.1:\d+ \(SignatureDoesNotMatch\): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\. The worker did not start\.$/,
    );
    expect(message).not.toContain('wrong-secret-value');
  });

  it('refuses to start without credentials, and with the store unreachable', async () => {
    expect(await refusal({ endpoint: s3Settings().endpoint, bucket: s3Settings().bucket }, {})).toBe(
      `storage.s3 is set but its credentials are not: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID_FILE and AWS_SECRET_ACCESS_KEY_FILE) for bucket ${s3Settings().bucket} at ${s3Settings().endpoint}.`,
    );
    const nobody = `http://127.0.0.1:${await freePort()}`;
    expect(await refusal({ endpoint: nobody, bucket: s3Settings().bucket }, s3Env())).toBe(
      `The object store could not be checked: ${nobody} cannot be reached (ECONNREFUSED). The worker did not start.`,
    );
  });
});
