import { describe, expect, it } from 'vitest';
import { expectNoStack, expectOk, runCliProcess } from './harness';

// `incident clocks`, the what-if, as a person runs it: the built executable, no configuration and no
// Temporal server (it computes in-process), so these tests use none of the global setup's server.

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', INCIDENT_CONFIG: '/nonexistent/incident.json' };
const clocks = (...args: string[]) => runCliProcess(['clocks', ...args], env, 30_000);

describe('incident clocks', () => {
  it('computes a DORA initial notification as the earlier of 4 h from classification and 24 h from awareness', async () => {
    const r = expectOk(
      await clocks(
        '--regime',
        'dora',
        '--at',
        'awareness=2026-03-02T08:00Z',
        '--at',
        'classified-major=2026-03-02T18:00+00:00',
        '--fact',
        'dora-entity-type=payment-institution',
        '--json',
      ),
    );
    const rows = JSON.parse(r.stdout) as { regime: string; obligation: string; dueAt: string; zone: string }[];
    const initial = rows.find((o) => o.obligation === 'dora-initial');
    // Delegated Regulation (EU) 2025/301 Art. 5(1)(a): 18:00 + 4 h comes before 08:00 + 24 h.
    expect(initial).toMatchObject({ regime: 'dora', dueAt: '2026-03-02T22:00:00.000Z', zone: 'Europe/Paris' });
    expect(initial).toHaveProperty('convention', 'earliest-of');
    expect(initial).toHaveProperty('rule.citation', expect.stringContaining('2025/301 Art. 5'));
  });

  it("moves a payment institution's limit on a Saturday to noon on Monday (Art. 5(4)), never a credit institution's (5(5))", async () => {
    const args = [
      '--regime',
      'dora',
      '--at',
      'awareness=2026-03-06T20:00Z',
      '--at',
      'classified-major=2026-03-07T10:00Z',
    ];
    const due = async (type: string) => {
      const r = expectOk(await clocks(...args, '--fact', `dora-entity-type=${type}`, '--json'));
      return (JSON.parse(r.stdout) as { obligation: string; dueAt: string }[]).find(
        (o) => o.obligation === 'dora-initial',
      )?.dueAt;
    };
    expect(await due('payment-institution')).toBe('2026-03-09T11:00:00.000Z');
    expect(await due('credit-institution')).toBe('2026-03-07T14:00:00.000Z');
  });

  it('prints one row per obligation with the due instant in UTC and in the legal zone, and what is undecided', async () => {
    const r = expectOk(
      await clocks(
        '--regime',
        'nis2',
        'hipaa',
        '--at',
        'awareness=2026-03-02T10:00Z',
        '--at',
        'classified-significant=2026-03-02T12:00Z',
        '--at',
        'discovered=2026-03-01T00:00Z',
      ),
    );
    expect(r.stdout).toMatch(
      /^nis2 +nis2-early-warning .*2026-03-03 12:00Z .*2026-03-03 13:00 UTC\+01:00 \(Europe\/Paris/m,
    );
    // NIS2 Art. 23(4)(a) counts from awareness of the significant incident; HIPAA needs the organisation's role.
    expect(r.stdout).toMatch(/^undecided: hipaa.*answer hipaa-role=/m);
  });

  it('lists every regime, event and fact of the public contract', async () => {
    const r = expectOk(await clocks('--list'));
    const ids = ['gdpr-art33', 'gdpr-art34', 'nis2', 'dora', 'sec-8k', 'hipaa', 'nydfs', 'lgpd', 'contract'];
    const events = [
      'awareness',
      'classified-significant',
      'classified-major',
      'materiality-determined',
      'incident-determined',
      'discovered',
      'extortion-paid',
      'submitted:<obligation>',
      'authority-request',
      'delay-start',
      'delay-end',
      'handled',
    ];
    const obligations = [
      'gdpr-art33-notification',
      'nis2-early-warning',
      'nis2-notification',
      'nis2-final-report',
      'dora-initial',
      'dora-intermediate',
      'dora-final',
      'sec-8k',
      'sec-8k-amendment',
      'hipaa-individuals',
      'hipaa-covered-entity',
      'hipaa-hhs',
      'hipaa-media',
      'nydfs-notice',
      'nydfs-extortion-notice',
      'nydfs-extortion-explanation',
      'lgpd-anpd',
      'lgpd-supplement',
    ];
    const facts = ['people', 'residents', 'hipaa-role', 'trust-service-provider', 'ongoing', 'zone:<regime>'];
    for (const id of ids) expect(r.stdout).toMatch(new RegExp(`^  ${id} `, 'm'));
    for (const e of events) expect(r.stdout).toMatch(new RegExp(`^  ${e} `, 'm'));
    for (const o of obligations) expect(r.stdout).toMatch(new RegExp(`^ +${o}@`, 'm'));
    for (const f of facts) expect(r.stdout).toMatch(new RegExp(`^  ${f} `, 'm'));
  });

  it('refuses an unknown regime as a usage error, naming the known ones', async () => {
    const r = await clocks('--regime', 'gdpr', '--at', 'awareness=2026-03-02T10:00Z');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'incident: --regime: "gdpr" is not a regime; use one of gdpr-art33, gdpr-art34, nis2, dora, sec-8k, hipaa, nydfs, lgpd, contract.',
    );
    expectNoStack(r);
  });

  it('refuses an event in the future, and a fact of the wrong form, saying what to do', async () => {
    const future = await clocks('--regime', 'nis2', '--at', 'awareness=2999-01-01T00:00Z');
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(
      /^incident: awareness: 2999-01-01T00:00Z is later than now .*record only what has happened/,
    );
    expect(future.stdout).toBe('');
    const fact = await clocks('--regime', 'hipaa', '--at', 'discovered=2026-01-05T00:00Z', '--fact', 'residents=CA');
    expect(fact.code).toBe(2);
    expect(fact.stderr).toMatch(/--fact residents=CA: .*residents=CA:600/);
    expectNoStack(future);
    expectNoStack(fact);
  });
});
