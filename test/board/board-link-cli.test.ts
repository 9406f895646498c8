import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLinkToken } from '../../domain/links/link-token';
import { loadLinkSigner } from '../../platform/link-key';
import { expectNoStack, runCliProcess } from '../cli/harness';

// `incident board-link`: an operator signs a leader in before any mail has gone out.

describe('incident board-link', () => {
  it('prints a link only where the link key is, only for addresses the policy names', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'board-link-'));
    const env = { PATH: process.env.PATH, HOME: dataDir, INCIDENT_DATA_DIR: dataDir, INCIDENT_CONFIG: '' };

    const noKey = await runCliProcess(['board-link', '--to', 'cto@example.com'], env);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('The link key is not on this machine');
    expectNoStack(noKey);

    const signer = loadLinkSigner({ dataDir, links: { publicKeys: [] } }, { create: true });
    const stranger = await runCliProcess(['board-link', '--to', 'mallory@evil.test'], env);
    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toContain('mallory@evil.test is not named in policy.recipients');
    expectNoStack(stranger);

    const ok = await runCliProcess(['board-link', '--to', 'CTO@example.com', '--incident', 'INC-9'], env);
    expect(ok.code).toBe(0);
    const url = ok.stdout.split('\n')[0];
    expect(url.startsWith('http://127.0.0.1:8790/l/')).toBe(true);
    const claims = verifyLinkToken(url.slice(url.indexOf('/l/') + 3), [signer.publicKey], new Date(), {});
    expect(claims).toMatchObject({ action: 'open-incident', incidentId: 'INC-9', recipient: 'cto@example.com' });
  });
});
