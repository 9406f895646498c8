import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkingMailer, recipientKey, type LinkSettings } from '../../../activities/mail-links';
import { createMailer, type MailDelivery, type Mailer } from '../../../activities/mailer';
import { verifyLinkToken, type LinkAction } from '../../../domain/links/link-token';
import type { MailMessage } from '../../../domain/notices';
import { loadLinkSigner } from '../../../platform/link-key';

// The worker turns a leadership mail's link intents into one message per recipient, each with links that
// only that recipient's address can use; a mail without links goes out as it always did.

const signer = loadLinkSigner(
  { dataDir: mkdtempSync(path.join(os.tmpdir(), 'mail-links-')), links: { publicKeys: [] } },
  { create: true },
);
const NOW = new Date('2026-12-03T06:00:00.000Z');
const settings: LinkSettings = {
  sign: signer.sign,
  baseUrl: 'https://board.example.com',
  links: { ttlHours: 72, acknowledgeMaxDays: 30 },
  now: () => NOW,
};
const alert: MailMessage = {
  key: 'INC-1/escalation-0',
  to: ['cto@example.com', 'CISO@example.com'],
  subject: '[SEV1] Security incident INC-1: web shell',
  text: 'A security incident has been opened.\n',
  html: '<!doctype html><html><body><p>A security incident has been opened.</p>\n</body></html>',
  incidentId: 'INC-1',
  links: ['acknowledge', 'open-incident', 'open-board'],
};

/** An inner mailer that keeps what it is given and remembers delivered keys, like the ledger. */
function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const ledger = new Map<string, MailDelivery>();
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(m) {
      const known = ledger.get(m.key);
      if (known) return { ...known, deduplicated: true };
      sent.push(m);
      const d = { messageId: `<${sent.length}@test>`, deduplicated: false, via: 'outbox' };
      ledger.set(m.key, d);
      return d;
    },
    delivered: async (key) => ledger.get(key),
    close() {},
  };
}

const LABELS: Record<LinkAction, string> = {
  acknowledge: 'Acknowledge',
  'open-incident': 'Open the incident',
  'open-board': 'Open the board',
};

function urlsIn(m: MailMessage): Map<LinkAction, string> {
  const found = new Map<LinkAction, string>();
  for (const [action, label] of Object.entries(LABELS) as [LinkAction, string][]) {
    const url = new RegExp(`${label}: (\\S+)`).exec(m.text)?.[1];
    if (url) found.set(action, url);
  }
  return found;
}

const tokenOf = (url: string) => url.slice('https://board.example.com/l/'.length);

describe('links in leadership mail', () => {
  it("sends one message per recipient, each with three links only that recipient's address can use", async () => {
    const inner = recordingMailer();
    const result = await linkingMailer(inner, settings).send(alert);
    expect(inner.sent.map((m) => m.to)).toEqual([['cto@example.com'], ['CISO@example.com']]);
    expect(inner.sent.map((m) => m.key)).toEqual([
      'INC-1/escalation-0/to/cto@example.com',
      'INC-1/escalation-0/to/ciso@example.com',
    ]);
    expect(result).toMatchObject({ messageId: '<1@test> <2@test>', deduplicated: false, via: 'outbox' });
    const ids = new Set<string>();
    for (const m of inner.sent) {
      const me = m.to[0];
      const someoneElse = me === 'cto@example.com' ? 'ciso@example.com' : 'cto@example.com';
      expect(m.text).toContain('Act on it');
      const urls = urlsIn(m);
      expect([...urls.keys()]).toEqual(['acknowledge', 'open-incident', 'open-board']);
      for (const [action, url] of urls) {
        expect(url.startsWith('https://board.example.com/l/')).toBe(true);
        expect(m.html).toContain(`href="${url}"`);
        const claims = verifyLinkToken(tokenOf(url), [signer.publicKey], NOW, { action, recipient: me });
        expect(claims.incidentId).toBe(action === 'open-board' ? '' : 'INC-1');
        expect(claims.issuedAt).toBe(NOW.toISOString());
        const lifetime = Date.parse(claims.expiresAt) - NOW.getTime();
        expect(lifetime).toBe(action === 'acknowledge' ? 30 * 86_400_000 : 72 * 3_600_000);
        expect(() => verifyLinkToken(tokenOf(url), [signer.publicKey], NOW, { recipient: someoneElse })).toThrow(
          /sent to someone else/,
        );
        ids.add(claims.id);
      }
    }
    expect(ids.size).toBe(6);
  });

  it('offers only the links the mail names, and the expiry follows the configuration', async () => {
    const inner = recordingMailer();
    const short = { ...settings, links: { ttlHours: 1, acknowledgeMaxDays: 2 } };
    await linkingMailer(inner, short).send({
      ...alert,
      to: ['cto@example.com'],
      links: ['open-incident', 'open-board'],
    });
    const urls = urlsIn(inner.sent[0]);
    expect([...urls.keys()]).toEqual(['open-incident', 'open-board']);
    const claims = verifyLinkToken(tokenOf(urls.get('open-incident')!), [signer.publicKey], NOW);
    expect(claims.expiresAt).toBe('2026-12-03T07:00:00.000Z');
    expect(() =>
      verifyLinkToken(tokenOf(urls.get('open-incident')!), [signer.publicKey], new Date('2026-12-03T07:00:00Z')),
    ).toThrow(/expired/);
  });

  it('sends a mail without links exactly as before: one message to everyone, under its own key', async () => {
    const inner = recordingMailer();
    const plain: MailMessage = { ...alert, links: undefined, incidentId: undefined };
    await linkingMailer(inner, settings).send(plain);
    expect(inner.sent).toEqual([plain]);
  });

  it('never mails a recipient twice: a retry skips those already sent, and a mail sent before links is not resent', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mail-links-ledger-'));
    const ledger = createMailer({ dataDir, from: 'ir@example.com' });
    const mailer = linkingMailer(ledger, settings);
    // The first attempt reached the CTO, then the worker died: the retry mails only the CISO.
    await ledger.send({ ...alert, key: recipientKey(alert.key, 'cto@example.com'), to: ['cto@example.com'] });
    const retry = await mailer.send(alert);
    expect(retry.deduplicated).toBe(false);
    const outbox = () => readdirSync(path.join(dataDir, 'outbox'));
    expect(outbox()).toHaveLength(2);
    const again = await mailer.send(alert);
    expect(again.deduplicated).toBe(true);
    expect(outbox()).toHaveLength(2);
    const ciso = outbox()
      .map((f) => readFileSync(path.join(dataDir, 'outbox', f), 'utf8'))
      .filter((eml) => /^To: CISO@example.com$/m.test(eml));
    expect(ciso).toHaveLength(1);

    const before = { ...alert, key: 'INC-2/escalation-0', incidentId: 'INC-2' };
    await ledger.send({ ...before, links: undefined });
    expect((await mailer.send(before)).deduplicated).toBe(true);
    expect(outbox()).toHaveLength(3);
    mailer.close();
  });
});
