import { mkdtemp, writeFile } from 'node:fs/promises';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../platform/config/schema';

/** A data dir in the system temp folder and a config whose systems are real files on this machine. */
export async function labConfig(
  opts: {
    systems?: string[];
    imageBytes?: number;
    smtpUrl?: string;
    policy?: Record<string, unknown>;
    policyProfiles?: Record<string, unknown>;
  } = {},
): Promise<{
  config: Config;
  dataDir: string;
  images: Record<string, string>;
}> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-test-'));
  const images: Record<string, string> = {};
  const systems: Record<string, unknown> = {};
  for (const name of opts.systems ?? []) {
    const image = path.join(dataDir, `${name}.img`);
    await writeFile(image, randomBytes(opts.imageBytes ?? 64 * 1024));
    images[name] = image;
    systems[name] = {
      isolation: { driver: 'command', isolate: ['true', '{system}'], release: ['true', '{system}'] },
      evidence: { driver: 'local', path: image },
    };
  }
  const config = parseConfig(
    {
      dataDir,
      systems,
      policy: opts.policy ?? {},
      policyProfiles: opts.policyProfiles ?? {},
      ...(opts.smtpUrl ? { smtp: { url: opts.smtpUrl } } : {}),
    },
    {},
    'test',
  );
  return { config, dataDir, images };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * A trail key for a worker started as against a cluster (TEMPORAL_ADDRESS set), which refuses to start
 * without one: made beside the data dir, its path goes into INCIDENT_TRAIL_KEY_FILE.
 */
export function trailKeyFor(dataDir: string): string {
  const file = `${dataDir.replace(/[\\/]+$/, '')}.trail-key.pem`;
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return file;
}
