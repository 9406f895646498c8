import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../domain/audit-entry';
import { expectNoStack, expectOk, pollUntil, startCliWorld, uniqueId, type CliWorld } from './harness';

// The policy belongs to the worker: a responder whose local configuration file says otherwise still gets
// the worker's deadlines and recipients, and can see which policy the incident runs on.

let world: CliWorld;
beforeAll(async () => {
  world = await startCliWorld('policy');
});
afterAll(async () => {
  await world?.stop();
});

describe("the worker's policy, whatever the opener's configuration says", () => {
  it("opens with the worker's deadlines and recipients, shows the policy version, and records it in the trail", async () => {
    const doctoredFile = path.join(world.dataDir, 'doctored.config.json');
    const own = JSON.parse(await readFile(world.configFile, 'utf8'));
    const doctored = {
      ...own,
      policy: {
        version: 'doctored',
        regulatorHours: 10_000,
        customerPersonalDataHours: 10_000,
        recipients: {
          cto: ['mallory@attacker.example'],
          ciso: ['mallory@attacker.example'],
          ceo: ['ceo@example.com'],
          dpo: ['dpo@example.com'],
          legal: ['legal@example.com'],
        },
      },
    };
    await writeFile(doctoredFile, JSON.stringify(doctored));
    const asMallory = { INCIDENT_CONFIG: doctoredFile };

    const id = uniqueId('INC-POLICY');
    const opened = expectOk(
      await world.run(
        [
          'open',
          '--id',
          id,
          '--title',
          'Doctored policy',
          '--severity',
          'SEV2',
          '--category',
          'data-breach',
          '--detection',
          'test',
          '--json',
        ],
        asMallory,
      ),
    );
    const result = JSON.parse(opened.stdout);
    expect(result.deadlineHours).toEqual({ customersPersonal: 24, customersProject: 72, regulator: 72 });
    expect(result.policyVersion).toEqual({
      profile: 'default',
      version: '1',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const view = await world.view(id);
    expect(view.policyVersion).toEqual(result.policyVersion);
    expect(view.policy.regulatorHours).toBe(72);
    const shown = expectOk(await world.run(['show', id], asMallory));
    expect(shown.stdout).toContain(`Policy: default, version 1 (sha256 ${result.policyVersion.sha256.slice(0, 16)}…)`);

    const outbox = path.join(world.dataDir, 'outbox');
    const alerts = await pollUntil(
      'the senior alert',
      async () => (await readdir(outbox).catch(() => [])).filter((f) => f.includes(id) && f.includes('escalation-0')),
      (files) => files.length === 1,
    );
    const alert = await readFile(path.join(outbox, alerts[0]), 'utf8');
    expect(alert).toMatch(/^To: cto@example\.com, ciso@example\.com$/m);
    expect(alert).not.toContain('mallory@attacker.example');

    const trail = (await readFile(path.join(world.dataDir, 'audit', `${id}.jsonl`), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    const loaded = trail.filter((e) => e.action === 'policy.loaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0].details).toMatchObject({ profile: 'default', version: '1', sha256: result.policyVersion.sha256 });
  });

  it('refuses a profile name that cannot be one, and says what a profile name is', async () => {
    const r = await world.run([
      'open',
      '--id',
      uniqueId('INC-PROFILE'),
      '--title',
      'x',
      '--severity',
      'SEV3',
      '--category',
      'other',
      '--detection',
      'test',
      '--policy-profile',
      '../etc',
    ]);
    expectNoStack(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `policyProfile "../etc" is not a profile name: lower-case letters, digits and . _ - (at most 64), as under policyProfiles in the worker's configuration.\n`,
    );
  });
});
