import { describe, expect, it } from 'vitest';
import { dueNotices } from '../../domain/deadlines';
import { escapeHtml, escapeMarkdown, singleLine, stripControl } from '../../domain/escape';
import { customerNoticeMail, deadlineNotice, draftCustomerNotice, seniorAlert } from '../../domain/notices';
import { defaultPolicy } from '../../domain/policy-schema';
import { assessedState, hasUnescaped, incidentState, markdownText } from './builders';

const ESC = '\u001b';
const RLO = '\u202e'; // right-to-left override
const LRI = '\u2066'; // left-to-right isolate
const PDI = '\u2069';

describe('escapeHtml', () => {
  it('turns a script tag into inert text', () => {
    expect(escapeHtml('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('escapes both quote kinds and the ampersand, so a value cannot leave an attribute', () => {
    expect(escapeHtml(`O'Brien & "Sons"`)).toBe('O&#39;Brien &amp; &quot;Sons&quot;');
    expect(escapeHtml('" onmouseover="alert(1)')).toBe('&quot; onmouseover=&quot;alert(1)');
  });

  it('does not double-escape nor alter plain text', () => {
    expect(escapeHtml('db-1 isolated at 10:00, 2 GB copied')).toBe('db-1 isolated at 10:00, 2 GB copied');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('stripControl', () => {
  it('removes the ESC byte of ANSI sequences so a terminal shows them as text, not colours or cursor moves', () => {
    expect(stripControl(`${ESC}[31mALERT${ESC}[0m`)).toBe('[31mALERT[0m');
    expect(stripControl(`ok${ESC}[2J${ESC}[H`)).not.toContain(ESC);
  });

  it('removes bidi overrides and isolates that would make a name read backwards', () => {
    expect(stripControl(`invoice${RLO}fdp.exe`)).toBe('invoicefdp.exe');
    expect(stripControl(`a${LRI}b${PDI}c`)).toBe('abc');
  });

  it('removes bells, NUL, DEL, C1 controls and carriage returns but keeps newline and tab', () => {
    expect(stripControl('a\u0007b\u0000c\u007fd\u009be')).toBe('abcde');
    expect(stripControl('line 1\r\nline 2\tcolumn')).toBe('line 1\nline 2\tcolumn');
  });

  it('keeps accented and non-Latin text', () => {
    expect(stripControl('Société Générale — 東京')).toBe('Société Générale — 東京');
  });
});

describe('singleLine', () => {
  it('removes CR and LF so a value cannot add a mail header', () => {
    const forged = 'Incident INC-1\r\nBcc: attacker@evil.example\r\n\r\nbody';
    const line = singleLine(forged);
    expect(line).toBe('Incident INC-1 Bcc: attacker@evil.example body');
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('collapses tabs and trims', () => {
    expect(singleLine('  a\tb \n ')).toBe('a b');
  });
});

describe('escapeMarkdown', () => {
  /** Escaped text reads back as the original once rendered, and none of `markup` is left live. */
  function expectInert(value: string, markup: string[]): string {
    const escaped = escapeMarkdown(value);
    expect(markdownText(escaped)).toBe(value);
    for (const ch of markup) expect(hasUnescaped(escaped, ch), `unescaped ${ch} in ${escaped}`).toBe(false);
    return escaped;
  }

  it('neutralises a link so that it renders as text', () => {
    expectInert('[link](http://evil)', ['[', ']']);
    expectInert('see [docs][1]\n\n[1]: http://evil', ['[', ']']);
  });

  it('neutralises an image and raw HTML', () => {
    expectInert('![x](http://evil/t.png)', ['[', ']']);
    expectInert('<img src=x onerror=alert(1)>', ['<', '>']);
  });

  it('escapes | so that a value cannot add a table column', () => {
    expectInert('db-1 | forged cell | another', ['|']);
  });

  it('escapes emphasis and code marks', () => {
    expectInert('*bold* _it_ `code` ~~gone~~', ['*', '_', '`', '~']);
  });

  it('escapes a heading, list or quote marker at the start of a line', () => {
    const escaped = expectInert('# Fake heading\n- fake item\n> fake quote', ['>']);
    for (const line of escaped.split('\n')) expect(line).toMatch(/^\\/);
  });

  it('escapes backslashes so an escape cannot be cancelled', () => {
    expectInert('\\[x]', ['[', ']']);
  });

  it('leaves ordinary text readable as written', () => {
    expectInert('VPN appliance (CVE-2024-3400) on db-1, 2 GB copied.', []);
  });
});

describe('mails carry attacker-supplied text only as escaped data', () => {
  const policy = defaultPolicy();
  const hostileTitle = 'DB breach <img src=x onerror=alert(1)>\r\nBcc: attacker@evil.example';

  it('the senior alert escapes an HTML title in the html body and keeps the subject on one line', () => {
    const s = incidentState({ title: hostileTitle });
    const mail = seniorAlert(s, policy, 0, ['cto@example.com']);
    expect(mail.subject).toBe(
      '[SEV1] Security incident INC-2026-042: DB breach <img src=x onerror=alert(1)> Bcc: attacker@evil.example',
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('DB breach &lt;img src=x onerror=alert(1)&gt;');
    expect(mail.key).toBe('INC-2026-042/escalation-0');
    expect(mail.to).toEqual(['cto@example.com']);
  });

  it('the senior alert shows awareness time in Paris with its offset and the acknowledgement command', () => {
    const mail = seniorAlert(incidentState(), policy, 0, ['cto@example.com']);
    expect(mail.text).toContain('Aware since: 2026-03-28 10:00 UTC+01:00 (Europe/Paris)');
    expect(mail.text).toContain('Affected systems: db-1, web-1');
    expect(mail.text).toContain('Acknowledge with: incident ack INC-2026-042');
  });

  it('an escalation says how long nobody acknowledged', () => {
    const mail = seniorAlert(incidentState(), policy, 2, ['ceo@example.com']);
    expect(mail.subject).toBe('[SEV1] ESCALATION 2: incident INC-2026-042 not acknowledged');
    expect(mail.text).toContain('within 30 minutes of opening');
  });

  it('terminal escapes in the title do not reach the plain-text body', () => {
    const s = incidentState({ title: `web-1 ${ESC}[2Jdown` });
    const mail = seniorAlert(s, policy, 0, ['cto@example.com']);
    expect(mail.text).toContain('Title: web-1 [2Jdown');
    expect(mail.text).not.toContain(ESC);
  });

  it('the customer notice escapes HTML in the text and the contact name, and keeps the subject on one line', () => {
    const s = incidentState();
    const notice = {
      subject: 'Incident <b>notice</b>\nBcc: attacker@evil.example',
      text: 'Dear customer,\n\nWe saw <script>alert("x")</script> in a form.\n\nHosting SAS',
    };
    const mail = customerNoticeMail(s, notice, {
      name: 'Eve <img src=x onerror=alert(1)>\r\nX-Evil: 1',
      email: 'Security@Acme.example',
    });
    expect(mail.subject).toBe('Incident <b>notice</b> Bcc: attacker@evil.example');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.text.split('\n')[0]).toBe('Dear Eve <img src=x onerror=alert(1)> X-Evil: 1,');
    expect(mail.html).toContain('<p>Dear Eve &lt;img src=x onerror=alert(1)&gt; X-Evil: 1,</p>');
    expect(mail.key).toBe('INC-2026-042/customer-notice/security@acme.example');
  });

  it('a contact name containing $ signs is greeted exactly as written', () => {
    const notice = { subject: 'Security incident', text: 'Dear customer,\n\nDetails follow.' };
    const mail = customerNoticeMail(incidentState(), notice, {
      name: 'Pay$$Fast $& Sons',
      email: 'it@payfast.example',
    });
    expect(mail.text.split('\n')[0]).toBe('Dear Pay$$Fast $& Sons,');
  });

  it('the draft customer notice names the DPO and the awareness time in Paris', () => {
    const s = assessedState(policy);
    const draft = draftCustomerNotice(s, policy);
    expect(draft.subject).toBe('Security incident notification from Example Hosting SAS (ref. INC-2026-042)');
    expect(draft.text).toContain('On 2026-03-28 10:00 UTC+01:00 (Europe/Paris), Example Hosting SAS became aware');
    expect(draft.text).toContain('Categories of data concerned: email addresses, hashed passwords.');
    expect(draft.text).toContain('Data Protection Officer, can be reached at dpo@example.com');
  });

  it('the deadline reminder shows the due time in Paris and the true time left', () => {
    const s = assessedState(policy);
    const ob = s.obligations.find((o) => o.kind === 'notify-regulator')!;
    const now = new Date('2026-03-31T06:00:00.000Z'); // opened late: 3 h before the deadline
    const { send } = dueNotices(ob, policy, now);
    const mail = deadlineNotice(s, ob, send!, policy, ['cto@example.com'], now);
    expect(mail.subject).toBe(
      '[SEV1] Deadline in 3 h 00 min: Notify the CNIL (GDPR Art. 33, 72 h) (incident INC-2026-042)',
    );
    expect(mail.text).toContain('Due: 2026-03-31 11:00 UTC+02:00 (Europe/Paris)');
    expect(mail.key).toBe('INC-2026-042/notify-regulator/reminder-4h');
  });

  it('the first overdue notice, sent at the deadline, does not say time is left and cites Art. 33(1)', () => {
    const s = assessedState(policy);
    const ob = s.obligations.find((o) => o.kind === 'notify-regulator')!;
    const now = new Date('2026-03-31T09:00:00.000Z');
    const { send } = dueNotices(ob, policy, now);
    expect(send?.key).toBe('overdue-0');
    const mail = deadlineNotice(s, ob, send!, policy, ['cto@example.com'], now);
    expect(mail.subject).toBe('[SEV1] OVERDUE: Notify the CNIL (GDPR Art. 33, 72 h) (incident INC-2026-042)');
    expect(mail.text).toContain(
      'A late notification to the CNIL must state the reasons for the delay (GDPR Art. 33(1)).',
    );
    expect(mail.text).toContain('has passed and it is not met.');
    expect(mail.text).not.toContain('left.');
  });
});
