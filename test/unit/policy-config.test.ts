import { describe, expect, it } from 'vitest';
import { ConfigError, envOverlay, parseConfig } from '../../platform/config/schema';
import { escalationRecipients, recipientsOf } from '../../domain/policy';
import { defaultPolicy, policySchema } from '../../domain/policy-schema';
import { refusal } from '../helpers/refusal';

const ROLES = {
  cto: ['cto@hosting.example'],
  ciso: ['ciso@hosting.example'],
  ceo: ['ceo@hosting.example'],
  dpo: ['dpo@hosting.example'],
  legal: ['legal@hosting.example', 'counsel@lawfirm.example'],
};

/** The ConfigError parseConfig throws, so that a test can read every problem it lists. */
function configError(
  file: unknown,
  env: Record<string, string | undefined> = {},
  source = 'incident.config.json',
): ConfigError {
  return refusal(ConfigError, () => parseConfig(file, env, source));
}

function policyProblems(input: unknown): string[] {
  const r = policySchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('policy defaults', () => {
  it('match the written procedure', () => {
    const p = defaultPolicy();
    expect(p.ackWindowMinutes).toBe(15);
    expect(p.reminderOffsetsHours).toEqual([12, 4, 1]);
    expect(p.overdueRepeatHours).toBe(4);
    expect(p.regulator).toEqual({ name: 'CNIL', article: 'GDPR Art. 33' });
    expect(p.regulatorHours).toBe(72);
    expect(p.customerPersonalDataHours).toBe(24);
    expect(p.customerProjectDataHours).toBe(72);
    expect(p.lawEnforcementHours).toBe(72);
    expect(p.rfoHours).toBe(120);
    expect(p.timeZone).toBe('Europe/Paris');
    expect(p.escalation[0]).toContain('cto');
    expect(p.deadlineRecipients).toEqual(['cto', 'dpo', 'legal']);
  });

  it('tells the CTO and CISO at once, then the CEO, then the CEO and legal', () => {
    const p = defaultPolicy();
    expect(escalationRecipients(p, 0)).toEqual(['cto@example.com', 'ciso@example.com']);
    expect(escalationRecipients(p, 1)).toEqual(['ceo@example.com']);
    expect(escalationRecipients(p, 2)).toEqual(['ceo@example.com', 'legal@example.com']);
  });

  it('keeps escalating to the last level once the list is exhausted', () => {
    const p = defaultPolicy();
    expect(escalationRecipients(p, 3)).toEqual(['ceo@example.com', 'legal@example.com']);
    expect(escalationRecipients(p, 17)).toEqual(['ceo@example.com', 'legal@example.com']);
  });

  it('sends one mail per address even when two roles share it', () => {
    const p = policySchema.parse({ recipients: { ...ROLES, ciso: ['cto@hosting.example'] } });
    expect(escalationRecipients(p, 0)).toEqual(['cto@hosting.example']);
    expect(recipientsOf(p, ['dpo', 'legal', 'dpo'])).toEqual([
      'dpo@hosting.example',
      'legal@hosting.example',
      'counsel@lawfirm.example',
    ]);
  });
});

describe('policy overrides', () => {
  it('merge with the defaults: only the fields given change', () => {
    const p = policySchema.parse({
      organisation: 'Hosting SAS',
      ackWindowMinutes: 30,
      recipients: ROLES,
      regulator: { name: 'Garante', article: 'GDPR Art. 33' },
    });
    expect(p.organisation).toBe('Hosting SAS');
    expect(p.ackWindowMinutes).toBe(30);
    expect(p.regulator.name).toBe('Garante');
    expect(p.reminderOffsetsHours).toEqual([12, 4, 1]);
    expect(p.overdueRepeatHours).toBe(4);
    expect(p.regulatorHours).toBe(72);
    expect(escalationRecipients(p, 2)).toEqual([
      'ceo@hosting.example',
      'legal@hosting.example',
      'counsel@lawfirm.example',
    ]);
  });

  it('a policy in the configuration file keeps every default it does not name', () => {
    const config = parseConfig({ policy: { regulatorHours: 48, timeZone: 'America/New_York' } }, {});
    expect(config.policy.regulatorHours).toBe(48);
    expect(config.policy.timeZone).toBe('America/New_York');
    expect(config.policy.ackWindowMinutes).toBe(15);
    expect(config.policy.regulator.name).toBe('CNIL');
  });

  it('refuses an escalation role that has no recipients, naming the role and the level', () => {
    expect(policyProblems({ recipients: ROLES, escalation: [['cto'], ['board']] })).toEqual([
      'escalation.1: names role "board", which has no recipients',
    ]);
  });

  it('refuses a deadline recipient role that has no recipients', () => {
    expect(policyProblems({ recipients: ROLES, deadlineRecipients: ['cto', 'privacy'] })).toEqual([
      'deadlineRecipients: names role "privacy", which has no recipients',
    ]);
  });

  it('refuses a first escalation level without the CTO', () => {
    expect(policyProblems({ recipients: ROLES, escalation: [['ciso'], ['ceo']] })).toEqual([
      'escalation.0: must include the role "cto": the procedure tells the CTO at once',
    ]);
  });

  it('refuses a CTO role whose address list is empty: nobody would be told at once', () => {
    const problems = policyProblems({ recipients: { ...ROLES, cto: [] } });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain('"cto"');
  });

  it('refuses a time zone that does not exist', () => {
    expect(policyProblems({ timeZone: 'Europe/Pariss' })).toEqual([
      'timeZone: is not an IANA time zone such as Europe/Paris',
    ]);
  });

  it('refuses a recipient that is not a mail address', () => {
    const problems = policyProblems({ recipients: { ...ROLES, dpo: ['dpo at hosting'] } });
    expect(problems).toEqual(['recipients.dpo.0: must be an email address such as cto@example.com']);
  });

  it('the error for a bad role in a configuration file names the full field path', () => {
    const err = configError({ policy: { escalation: [['cto'], ['board']] } });
    expect(err.problems).toEqual(['policy.escalation.1: names role "board", which has no recipients']);
    expect(err.message).toContain('Invalid configuration (incident.config.json)');
  });
});

describe('configuration: file and environment', () => {
  const file = {
    dataDir: '/var/lib/incident',
    temporal: {
      address: 'temporal.internal:7233',
      namespace: 'staging',
      tls: {
        certPath: '/etc/file/client.pem',
        keyPath: '/etc/file/client.key',
        caPath: '/etc/file/ca.pem',
        serverName: 'temporal.internal',
      },
    },
    smtp: { url: 'smtp://relay.internal:25' },
  };

  it('uses the file when no environment variable is set', () => {
    const c = parseConfig(file, {});
    expect(c.temporal.address).toBe('temporal.internal:7233');
    expect(c.temporal.namespace).toBe('staging');
    expect(c.temporal.tls.certPath).toBe('/etc/file/client.pem');
    expect(c.smtp?.url).toBe('smtp://relay.internal:25');
    expect(c.dataDir).toBe('/var/lib/incident');
  });

  it('lets TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_CERT/KEY/CA and SMTP_URL override the file', () => {
    const c = parseConfig(file, {
      TEMPORAL_ADDRESS: 'prod.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'prod.a1b2c',
      TEMPORAL_TLS_CERT: '/run/secrets/client.pem',
      TEMPORAL_TLS_KEY: '/run/secrets/client.key',
      TEMPORAL_TLS_CA: '/run/secrets/ca.pem',
      SMTP_URL: 'smtps://mailer:secret@smtp.example:465',
    });
    expect(c.temporal.address).toBe('prod.a1b2c.tmprl.cloud:7233');
    expect(c.temporal.namespace).toBe('prod.a1b2c');
    expect(c.temporal.tls).toEqual({
      certPath: '/run/secrets/client.pem',
      keyPath: '/run/secrets/client.key',
      caPath: '/run/secrets/ca.pem',
      serverName: 'temporal.internal', // not set in the environment: the file's value stays
    });
    expect(c.smtp?.url).toBe('smtps://mailer:secret@smtp.example:465');
    expect(c.temporal.taskQueue).toBe('incident-response');
    expect(c.dataDir).toBe('/var/lib/incident');
  });

  it('ignores environment variables set to the empty string', () => {
    const c = parseConfig(file, { TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', SMTP_URL: '' });
    expect(c.temporal.address).toBe('temporal.internal:7233');
    expect(c.temporal.namespace).toBe('staging');
    expect(c.smtp?.url).toBe('smtp://relay.internal:25');
  });

  it('builds the overlay the same names the temporal CLI uses', () => {
    expect(
      envOverlay({
        TEMPORAL_ADDRESS: 'h:7233',
        TEMPORAL_TLS: '1',
        SMTP_HOST: 'mx',
        SMTP_PORT: '587',
        INCIDENT_DATA_DIR: '/d',
      }),
    ).toEqual({
      temporal: { address: 'h:7233', tls: { enabled: true } },
      smtp: { host: 'mx', port: '587' },
      dataDir: '/d',
    });
    expect(envOverlay({})).toEqual({});
  });

  it('reads SMTP_HOST and SMTP_PORT from the environment as a host and a number', () => {
    const c = parseConfig({}, { SMTP_HOST: 'smtp.example', SMTP_PORT: '587' });
    expect(c.smtp).toEqual({ host: 'smtp.example', port: 587 });
  });

  it('defaults: the embedded dev server on 127.0.0.1:7233, namespace default, no SMTP', () => {
    const c = parseConfig(undefined, {});
    expect(c.temporal.address).toBeUndefined();
    expect(c.temporal.namespace).toBe('default');
    expect(c.temporal.devServer).toEqual({ ip: '127.0.0.1', port: 7233, uiPort: 8233 });
    expect(c.smtp).toBeUndefined();
    expect(c.systems).toEqual({});
    expect(c.policy.ackWindowMinutes).toBe(15);
  });

  it('an invalid file yields one ConfigError listing every bad field by its path', () => {
    const err = configError({
      dataDir: '',
      temporal: { namespace: '' },
      policy: { ackWindowMinutes: -5, timeZone: 'Mars/Olympus' },
      systems: { 'web-1': { isolation: { driver: 'command', isolate: [], release: ['nft', 'delete', 'element'] } } },
    });
    expect(err.name).toBe('ConfigError');
    const paths = err.problems.map((p) => p.slice(0, p.indexOf(':')));
    expect(paths.sort()).toEqual([
      'dataDir',
      'policy.ackWindowMinutes',
      'policy.timeZone',
      'systems.web-1.isolation.isolate',
      'temporal.namespace',
    ]);
    for (const path of paths) expect(err.message).toContain(`  - ${path}: `);
    expect(err.message).toContain('Invalid configuration (incident.config.json)');
    expect(err.problems).toContain('policy.timeZone: is not an IANA time zone such as Europe/Paris');
    expect(err.problems).toContain(
      'systems.web-1.isolation.isolate: needs the program and its arguments, e.g. ["nft", "add", "element", …]',
    );
  });

  it('an SMTP section without a URL or host is refused with what to set', () => {
    expect(configError({ smtp: { user: 'mailer' } }).problems).toEqual([
      'smtp: set SMTP_URL, or SMTP_HOST with SMTP_PORT',
    ]);
  });
});

describe('configuration: systems and their drivers', () => {
  it('parses command, local and manual drivers with their defaults', () => {
    const c = parseConfig(
      {
        systems: {
          'db-1': {
            description: 'Primary customer database',
            isolation: {
              driver: 'command',
              isolate: ['nft', 'add', 'element', 'inet', 'filter', 'quarantine', '{ {system} }'],
              release: ['nft', 'delete', 'element', 'inet', 'filter', 'quarantine', '{ {system} }'],
            },
            evidence: { driver: 'command', snapshot: ['ssh', '{system}', 'dd', 'if=/dev/sda', 'bs=4M'] },
          },
          'web-1.prod': { evidence: { driver: 'local', path: '/srv/images/web-1.img' } },
          'legacy:42': {},
        },
      },
      {},
    );
    expect(c.systems['db-1'].isolation).toEqual({
      driver: 'command',
      isolate: ['nft', 'add', 'element', 'inet', 'filter', 'quarantine', '{ {system} }'],
      release: ['nft', 'delete', 'element', 'inet', 'filter', 'quarantine', '{ {system} }'],
      timeoutSeconds: 120,
    });
    expect(c.systems['db-1'].evidence).toEqual({
      driver: 'command',
      snapshot: ['ssh', '{system}', 'dd', 'if=/dev/sda', 'bs=4M'],
      timeoutSeconds: 21600,
    });
    expect(c.systems['web-1.prod']).toEqual({
      isolation: { driver: 'manual' },
      evidence: { driver: 'local', path: '/srv/images/web-1.img' },
    });
    expect(c.systems['legacy:42']).toEqual({ isolation: { driver: 'manual' }, evidence: { driver: 'manual' } });
  });

  it('refuses an unknown driver, naming the system', () => {
    const err = configError({ systems: { 'db-1': { isolation: { driver: 'ssh' } } } });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^systems\.db-1\.isolation\.driver: /);
  });

  it('refuses a system name that could escape the data directory', () => {
    const err = configError({ systems: { '../etc': {} } });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^systems\.\.\.\/etc: /);
  });

  it('the refusal of a bad system name says which names are allowed', () => {
    const err = configError({ systems: { 'db 1/root': {} } });
    expect(err.problems).toEqual([
      'systems.db 1/root: "db 1/root" is not a valid system name: use letters, digits and . _ : - (at most 128)',
    ]);
  });
});
