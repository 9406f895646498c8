import { describe, expect, it } from 'vitest';
import { dueNotices } from '../../domain/deadlines';
import { deadlineNotice, seniorAlert } from '../../domain/notices';
import { defaultPolicy } from '../../domain/policy-schema';
import { renderHtml, renderMarkdown } from '../../domain/report-document';
import { rcaReport, regulatorDossier, rfoReport } from '../../domain/reports';
import { parseHeadArgument } from '../../domain/trail-head';
import { assessedState, incidentState } from './builders';

// Every leadership mail and every report ends with the trail head Temporal held when it was written, in
// words a reader can paste into `incident audit --verify --head` years later.

const policy = defaultPolicy();
const HASH = '4ebaf5b6c1d2e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112';
const HEAD = { seq: 37, hash: HASH, at: '2026-03-28T15:20:00.000Z' };
const FOOTER =
  'Audit trail: audit seq 37, head 4ebaf5b6c1d2e3f4… — check with: incident audit INC-2026-042 --verify --head 37:4ebaf5b6c1d2e3f4';
const NO_HEAD = 'Audit trail: no head recorded yet — check with: incident audit INC-2026-042 --verify';

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('the trail head in leadership mails', () => {
  it('the senior alert and each escalation end with the head, after the acknowledgement command', () => {
    const s = incidentState();
    s.auditHead = HEAD;
    for (const level of [0, 1, 2]) {
      const mail = seniorAlert(s, policy, level, ['cto@example.com']);
      expect(lastLine(mail.text)).toBe(FOOTER);
      expect(mail.text).toContain(`Acknowledge with: incident ack INC-2026-042\n\n${FOOTER}\n`);
      expect(mail.html).toContain(
        '<hr>\n<p>Audit trail: audit seq 37, head 4ebaf5b6c1d2e3f4… — check with: incident audit INC-2026-042 --verify --head 37:4ebaf5b6c1d2e3f4</p>\n</body></html>',
      );
    }
  });

  it('a reminder and an overdue notice end with the head', () => {
    const s = assessedState(policy);
    s.auditHead = HEAD;
    const ob = s.obligations.find((o) => o.kind === 'notify-regulator')!;
    for (const now of [new Date('2026-03-31T06:00:00.000Z'), new Date('2026-03-31T09:00:00.000Z')]) {
      const { send } = dueNotices(ob, policy, now);
      const mail = deadlineNotice(s, ob, send!, policy, ['cto@example.com'], now);
      expect(lastLine(mail.text)).toBe(FOOTER);
    }
  });

  it('before the first append completes, the mail says no head is recorded yet rather than leave it out', () => {
    const mail = seniorAlert(incidentState(), policy, 0, ['cto@example.com']);
    expect(lastLine(mail.text)).toBe(NO_HEAD);
  });

  it('the head a mail shows is what --head accepts', () => {
    const typed = /--head (\S+)$/.exec(FOOTER)![1];
    expect(parseHeadArgument(typed)).toEqual({ seq: 37, hash: HASH.slice(0, 16) });
  });
});

describe('the trail head in rendered reports', () => {
  const s = assessedState(policy);
  s.auditHead = HEAD;
  const docs = {
    rca: rcaReport(s, [], policy, '2026-03-29T10:00:00.000Z'),
    rfo: rfoReport(s, policy, '2026-03-29T10:00:00.000Z'),
    regulator: regulatorDossier(s, policy, '2026-03-29T10:00:00.000Z'),
  };

  it.each(Object.entries(docs))('%s: Markdown ends with the head after a rule, the command left as typed', (_, doc) => {
    const md = renderMarkdown(doc);
    expect(md.endsWith(`\n---\n\n${FOOTER}\n`)).toBe(true);
  });

  it.each(Object.entries(docs))('%s: HTML ends with the head after a rule', (_, doc) => {
    expect(renderHtml(doc).endsWith(`<hr>\n<p>${FOOTER}</p>\n</body></html>\n`)).toBe(true);
  });

  it('a report rendered before any head says so', () => {
    expect(lastLine(renderMarkdown(rfoReport(incidentState(), policy, '2026-03-29T10:00:00.000Z')))).toBe(NO_HEAD);
  });
});
