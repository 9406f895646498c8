import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientsForObligation } from '../../domain/policy';
import * as api from '../../workflows/incident-api';
import { labConfig } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { actions, auditOf, HOUR, MINUTE, timeSkippingHarness } from '../helpers/time-skipping';

// Every legal deadline in its recipients' calendars, as an incident runs it on the time-skipping server:
// the assessment that opens the GDPR clock sends an invite, a corrected awareness time an update of the same
// event, and the filing or a waiver its cancellation. Each mail is read from the outbox as a client reads it.

/** iCalendar times have whole seconds: a deadline is shown at its second, never after it. */
const toSecond = (iso: string) => iso.replace(/\.\d{3}Z$/, '.000Z');

type Harness = Awaited<ReturnType<typeof timeSkippingHarness>>;

interface ReceivedInvite {
  to: string[];
  method: string;
  /** The method in the part's Content-Type, which mail clients read before the calendar. */
  mimeMethod: string;
  uid: string;
  sequence: number;
  start: string;
  status: string;
}

/** The calendar part of every outbox mail whose idempotency key ends with `suffix`. */
async function invitesIn(dataDir: string, suffix: string): Promise<ReceivedInvite[]> {
  const dir = path.join(dataDir, 'outbox');
  const files = (await readdir(dir)).filter((f) => f.endsWith(`${suffix.replace(/[^A-Za-z0-9._-]+/g, '_')}.eml`));
  return Promise.all(
    files.map(async (f) => {
      const mail = await simpleParser(await readFile(path.join(dir, f)));
      const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
      if (!part) throw new Error(`${f} has no text/calendar part`);
      const calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
      const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address!) : [];
      return {
        to,
        method: String(calendar.getFirstPropertyValue('method')),
        mimeMethod: (part.headers.get('content-type') as { params?: Record<string, string> }).params?.method ?? '',
        uid: event.uid,
        sequence: event.sequence,
        start: event.startDate.toJSDate().toISOString(),
        status: String(event.component.getFirstPropertyValue('status')),
      };
    }),
  );
}

describe('calendar invites for legal deadlines (time-skipping)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await timeSkippingHarness();
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('GDPR Art. 33: invited at the assessment, updated when awareness is corrected, cancelled once filed', async () => {
    const { config, dataDir } = await labConfig();
    await h.withWorker(config, async () => {
      const { handle, incidentId, awareMs } = await h.start(config);
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'dpo', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      await h.env.sleep(MINUTE);
      const gdpr = (await handle.query(api.stateQuery)).state.obligations.find(
        (o) => o.id === 'gdpr-art33-notification',
      )!;
      expect(gdpr.dueAt).toBe(new Date(awareMs + 72 * HOUR).toISOString());
      const recipients = recipientsForObligation(config.policy, gdpr);
      expect(recipients.length).toBeGreaterThan(0);
      const [invite] = await invitesIn(dataDir, `${incidentId}/gdpr-art33-notification/invite-0`);
      expect(invite).toMatchObject({
        method: 'REQUEST',
        sequence: 0,
        start: toSecond(gdpr.dueAt),
        status: 'CONFIRMED',
      });
      expect(invite.uid).toBe(`${incidentId}.gdpr-art33-notification@incident-response`);
      expect(invite.to).toEqual(recipients);
      expect(invite.mimeMethod.toUpperCase()).toBe('REQUEST');

      const correctedMs = awareMs - 2 * HOUR;
      await handle.executeUpdate(api.correctAwarenessUpdate, {
        args: [{ actor: 'carol', at: new Date(correctedMs).toISOString(), reason: 'SOC ticket read earlier' }],
      });
      await h.env.sleep(MINUTE);
      const [update] = await invitesIn(dataDir, `${incidentId}/gdpr-art33-notification/invite-1`);
      expect(update).toMatchObject({ method: 'REQUEST', uid: invite.uid, sequence: 1 });
      expect(update.start).toBe(toSecond(new Date(correctedMs + 72 * HOUR).toISOString()));

      await handle.executeUpdate(api.regulatorFilingUpdate, { args: [{ actor: 'dpo', reference: 'CNIL-2026-42' }] });
      await handle.executeUpdate(api.waiveUpdate, {
        args: [{ actor: 'dpo', obligationId: 'contract:policy', reason: 'The contract was terminated' }],
      });
      await h.env.sleep(MINUTE);
      const [cancel] = await invitesIn(dataDir, `${incidentId}/gdpr-art33-notification/cancel-2`);
      expect(cancel).toMatchObject({ method: 'CANCEL', uid: invite.uid, sequence: 2, status: 'CANCELLED' });
      expect(cancel.mimeMethod.toUpperCase()).toBe('CANCEL');
      const [waived] = await invitesIn(dataDir, `${incidentId}/contract:policy/cancel-2`);
      expect(waived).toMatchObject({ method: 'CANCEL', uid: `${incidentId}.contract%3Apolicy@incident-response` });

      // Each went out once, and the trail says so in its mail.sent entries.
      const sent = actions(await auditOf(config, incidentId), 'mail.sent').map((e) => String(e.details.key));
      const calendarKeys = sent.filter((k) => /\/(invite|cancel)-\d+$/.test(k));
      expect(calendarKeys.filter((k) => k.includes('/gdpr-art33-notification/'))).toEqual([
        `${incidentId}/gdpr-art33-notification/invite-0`,
        `${incidentId}/gdpr-art33-notification/invite-1`,
        `${incidentId}/gdpr-art33-notification/cancel-2`,
      ]);
      await recordHistory('calendar-invites', handle);
    });
  });
});
