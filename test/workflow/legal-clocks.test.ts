import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Obligation } from '../../domain/incident';
import * as api from '../../workflows/incident-api';
import { labConfig } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { rejection } from '../helpers/refusal';
import { actions, auditOf, HOUR, MINUTE, timeSkippingHarness } from '../helpers/time-skipping';

// The legal clocks as an incident runs them, on the time-skipping server: each phase's report starts the
// next phase's clock when it is submitted, reminders fire at the simulated minute the regime sets, a
// granted delay pauses a clock and its end moves the deadline, and a backdated determination counts
// business days around a federal holiday.

type Harness = Awaited<ReturnType<typeof timeSkippingHarness>>;

const DAY = 24 * HOUR;

async function obligations(handle: Awaited<ReturnType<Harness['start']>>['handle']): Promise<Obligation[]> {
  return (await handle.query(api.stateQuery)).state.obligations;
}
const find = (obs: Obligation[], id: string) => {
  const ob = obs.find((o) => o.id === id);
  if (!ob) throw new Error(`no obligation ${id} among ${obs.map((o) => o.id).join(', ')}`);
  return ob;
};
/** The calendar date and wall time of an instant in a zone, as a person there reads it. */
const wallClock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(iso));
/** The same day of the month a month later, or that month's last day (Regulation 1182/71 Art. 3(2)(c)). */
function sameDateNextMonth(iso: string, timeZone: string): string {
  const [y, m, d] = wallClock(iso, timeZone).slice(0, 10).split('-').map(Number);
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const next = new Date(Date.UTC(y, m, Math.min(d, last)));
  return next.toISOString().slice(0, 10);
}
const reminderHours = (entries: Awaited<ReturnType<typeof auditOf>>, obligation: string, fromMs: number) =>
  actions(entries, 'deadline.reminder')
    .filter((e) => e.details.obligation === obligation)
    .map((e) => Math.round((Date.parse(e.at) - fromMs) / MINUTE) / 60);

describe('legal clocks (time-skipping)', () => {
  let h: Harness;
  let env: Harness['env'];
  beforeAll(async () => {
    h = await timeSkippingHarness();
    env = h.env;
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('DORA: classified 10 h after awareness; initial, intermediate and final each start the next clock', async () => {
    const { config } = await labConfig({
      policy: {
        regimes: ['dora'],
        // Art. 5(6): the authority disapplied the weekend relief, so the test does not depend on the weekday.
        clocks: { doraEntityType: 'payment-institution', doraReliefDisapplied: true, doraAuthority: 'ACPR' },
      },
    });
    await h.withWorker(config, async () => {
      const { handle, incidentId, awareMs } = await h.start(config);
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await env.sleep(10 * HOUR + MINUTE);
      // Classified at exactly 10 h, recorded a minute later, as a person records what happened.
      const classifiedAt = new Date(awareMs + 10 * HOUR).toISOString();
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [{ actor: 'carol', event: 'classified-major', at: classifiedAt }],
      });
      const initial = find(await obligations(handle), 'dora-initial');
      // DORA Art. 19(4)(a), Delegated Regulation 2025/301 Art. 5(1)(a): 4 h after classification, which is
      // earlier than 24 h after awareness.
      expect(Date.parse(initial.dueAt) - awareMs).toBe(14 * HOUR);
      expect(initial.owedTo).toBe('ACPR');
      expect(initial.clock?.rule.citation).toMatch(/2025\/301/);

      await env.sleep(3.5 * HOUR);
      const submittedInitialMs = awareMs + 13.5 * HOUR;
      await handle.executeUpdate(api.submissionUpdate, {
        args: [
          {
            actor: 'dana',
            obligationId: 'dora-initial',
            reference: 'ACPR-2026-1',
            at: new Date(submittedInitialMs).toISOString(),
          },
        ],
      });
      const intermediate = find(await obligations(handle), 'dora-intermediate');
      // Art. 5(1)(b): 72 h from the initial notification's submission, not from the classification.
      expect(Date.parse(intermediate.dueAt) - submittedInitialMs).toBe(72 * HOUR);

      await env.sleep(70 * HOUR);
      const submittedIntermediate = new Date(submittedInitialMs + 70 * HOUR).toISOString();
      await handle.executeUpdate(api.submissionUpdate, {
        args: [
          { actor: 'dana', obligationId: 'dora-intermediate', reference: 'ACPR-2026-2', at: submittedIntermediate },
        ],
      });
      const final = find(await obligations(handle), 'dora-final');
      // Art. 5(1)(c): one month after the latest intermediate report, to the end of that day in Paris.
      expect(wallClock(final.dueAt, 'Europe/Paris')).toBe(
        `${sameDateNextMonth(submittedIntermediate, 'Europe/Paris')} 23:59:59`,
      );

      const audit = await auditOf(config, incidentId);
      // The 4 h clock's own reminders (2 h, 1 h before; 15 min not reached before the submission).
      expect(reminderHours(audit, 'dora-initial', awareMs)).toEqual([12, 13]);
      // The intermediate report's reminders, from the policy: 12 h and 4 h before its due time.
      expect(reminderHours(audit, 'dora-intermediate', awareMs)).toEqual([73.5, 81.5]);
      const submitted = actions(audit, 'obligation.submitted').map((e) => e.details.obligation);
      expect(submitted).toEqual(['dora-initial', 'dora-intermediate']);
      await recordHistory('dora-phases', handle);
    });
  });

  it('NIS2: the final report still pending a month after the notification is told overdue once', async () => {
    const { config } = await labConfig({ policy: { regimes: ['nis2'] } });
    await h.withWorker(config, async () => {
      // Back-dated rather than slept through: a month of skipped time is slow and fragile on a loaded machine.
      const awareMs = (await env.currentTimeMs()) - 40 * DAY;
      const { handle, incidentId } = await h.start(config, { awareAt: new Date(awareMs).toISOString() });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      const classifiedMs = awareMs + HOUR;
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [{ actor: 'carol', event: 'classified-significant', at: new Date(classifiedMs).toISOString() }],
      });
      await handle.executeUpdate(api.clockFactsUpdate, { args: [{ actor: 'carol', facts: ['ongoing=no'] }] });
      // NIS2 Art. 23(4)(a) and (b): 24 h and 72 h from becoming aware of the significant incident.
      expect(Date.parse(find(await obligations(handle), 'nis2-early-warning').dueAt) - classifiedMs).toBe(24 * HOUR);
      expect(Date.parse(find(await obligations(handle), 'nis2-notification').dueAt) - classifiedMs).toBe(72 * HOUR);
      const submit = (obligationId: string, at: number) =>
        handle.executeUpdate(api.submissionUpdate, {
          args: [{ actor: 'dana', obligationId, reference: `CERTFR-${obligationId}`, at: new Date(at).toISOString() }],
        });
      await submit('nis2-early-warning', classifiedMs + 20 * HOUR);
      const submittedAt = new Date(classifiedMs + 60 * HOUR).toISOString();
      await submit('nis2-notification', classifiedMs + 60 * HOUR);
      const final = find(await obligations(handle), 'nis2-final-report');
      // Art. 23(4)(d): one month after the incident notification was submitted.
      expect(wallClock(final.dueAt, 'Europe/Paris')).toBe(`${sameDateNextMonth(submittedAt, 'Europe/Paris')} 23:59:59`);
      await env.sleep(MINUTE);
      expect(find(await obligations(handle), 'nis2-final-report').status).toBe('pending');
      const audit = await auditOf(config, incidentId);
      const overdue = actions(audit, 'deadline.overdue').filter((e) => e.details.obligation === 'nis2-final-report');
      // Only the latest notice goes out; the reminders it supersedes are never sent late.
      expect(overdue).toHaveLength(1);
      expect(reminderHours(audit, 'nis2-final-report', Date.parse(final.dueAt))).toEqual([]);
      // The CISO and legal hear of NIS2 deadlines (the roles the regime names).
      expect(overdue[0].details.to).toEqual(['ciso@example.com', 'legal@example.com']);
    });
  });

  it('awareness corrected backwards moves every clock counted from it, tells the people each concerns, and says why', async () => {
    const { config } = await labConfig();
    await h.withWorker(config, async () => {
      const { handle, incidentId, awareMs } = await h.start(config);
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.assessUpdate, {
        args: [{ actor: 'dpo', dataImpact: 'personal', customers: [{ name: 'ACME', email: 'security@acme.example' }] }],
      });
      const before = await obligations(handle);
      const noReason = await rejection(
        WorkflowUpdateFailedError,
        handle.executeUpdate(api.correctAwarenessUpdate, {
          args: [{ actor: 'carol', at: new Date(awareMs - 2 * HOUR).toISOString(), reason: '' }],
        }),
      );
      expect(noReason.cause?.message).toMatch(/reason/);
      const correctedMs = awareMs - 2 * HOUR;
      await handle.executeUpdate(api.correctAwarenessUpdate, {
        args: [
          { actor: 'carol', at: new Date(correctedMs).toISOString(), reason: 'SOC ticket read two hours earlier' },
        ],
      });
      const after = await obligations(handle);
      // GDPR Art. 33(1): 72 h from awareness; the contract clock: 24 h (the policy's fallback).
      expect(Date.parse(find(after, 'gdpr-art33-notification').dueAt) - correctedMs).toBe(72 * HOUR);
      expect(Date.parse(find(after, 'contract:policy').dueAt) - correctedMs).toBe(24 * HOUR);
      expect(Date.parse(find(before, 'contract:policy').dueAt) - Date.parse(find(after, 'contract:policy').dueAt)).toBe(
        2 * HOUR,
      );
      await env.sleep(MINUTE);
      const audit = await auditOf(config, incidentId);
      expect(actions(audit, 'awareness.corrected')[0].details).toMatchObject({
        to: new Date(correctedMs).toISOString(),
        reason: 'SOC ticket read two hours earlier',
      });
      const moved = actions(audit, 'obligation.rescheduled').map((e) => e.details.obligation);
      expect(moved).toEqual(expect.arrayContaining(['gdpr-art33-notification', 'contract:policy']));
      const outbox = await readdir(path.join(config.dataDir, 'outbox'));
      expect(outbox.filter((f) => f.includes('moved-r1'))).toHaveLength(2);
      await recordHistory('awareness-corrected', handle);
    });
  });

  it('SEC: a determination two days before Thanksgiving is due four business days later at 17:30 New York', async () => {
    const { config } = await labConfig({ policy: { regimes: ['sec-8k'] } });
    await h.withWorker(config, async () => {
      const { handle, incidentId } = await h.start(config, { awareAt: '2025-11-24T14:00:00Z' });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      const noReason = await rejection(
        WorkflowUpdateFailedError,
        handle.executeUpdate(api.clockEventUpdate, {
          args: [{ actor: 'erin', event: 'materiality-determined', at: '2025-11-25T20:00:00Z' }],
        }),
      );
      expect(noReason.cause?.message).toMatch(/say why the incident was found material/);
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [
          {
            actor: 'erin',
            event: 'materiality-determined',
            at: '2025-11-25T20:00:00Z',
            reason: 'Disclosure committee: customer records of 2 million users exfiltrated',
          },
        ],
      });
      const filing = find(await obligations(handle), 'sec-8k');
      // Form 8-K General Instruction B.1 and Item 1.05: Wed 26, (Thu 27 Thanksgiving), Fri 28, Mon 1, Tue 2.
      expect(filing.dueAt).toBe('2025-12-02T22:30:00.000Z');
      expect(filing.clock?.convention).toBe('business-days');
      const late = await rejection(
        WorkflowUpdateFailedError,
        handle.executeUpdate(api.submissionUpdate, {
          args: [{ actor: 'frank', obligationId: 'sec-8k', reference: '0001234567-25-000001' }],
        }),
      );
      expect(late.cause?.message).toMatch(/late.*--late-reason/);
      await env.sleep(MINUTE);
      const audit = await auditOf(config, incidentId);
      expect(actions(audit, 'deadline.overdue').filter((e) => e.details.obligation === 'sec-8k')).toHaveLength(1);
    });
  });

  it('HIPAA: a law-enforcement delay pauses the 60-day clocks and its end moves them by its length', async () => {
    const { config } = await labConfig({ policy: { regimes: ['hipaa'] } });
    await h.withWorker(config, async () => {
      // Back-dated so that the delayed deadline falls within a day and a half, not two months of skipped time.
      const awareAt = new Date((await env.currentTimeMs()) - 69.5 * DAY).toISOString();
      const { handle, incidentId } = await h.start(config, { awareAt });
      await handle.executeUpdate(api.acknowledgeUpdate, { args: [{ actor: 'bob' }] });
      await handle.executeUpdate(api.clockFactsUpdate, {
        args: [{ actor: 'carol', facts: ['hipaa-role=covered-entity', 'people=1200', 'residents=CA:640'] }],
      });
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [{ actor: 'carol', event: 'discovered', at: awareAt }],
      });
      const before = find(await obligations(handle), 'hipaa-individuals');
      expect(find(await obligations(handle), 'hipaa-hhs').dueAt).toBe(before.dueAt);
      expect((await obligations(handle)).some((o) => o.id.startsWith('hipaa-media'))).toBe(true);
      const delayStart = Date.parse(before.clock!.anchor.at) + 5 * DAY;
      const delay = { actor: 'carol', regime: 'hipaa' };
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [
          {
            ...delay,
            event: 'delay-start',
            at: new Date(delayStart).toISOString(),
            reference: 'FBI letter 2026-117',
          },
        ],
      });
      expect(find(await obligations(handle), 'hipaa-individuals').clock?.pausedUntilDelayEnd).toBe(true);
      await handle.executeUpdate(api.clockEventUpdate, {
        args: [
          {
            ...delay,
            event: 'delay-end',
            at: new Date(delayStart + 10 * DAY).toISOString(),
            reference: 'FBI letter 2026-131',
          },
        ],
      });
      const after = find(await obligations(handle), 'hipaa-individuals');
      // 45 CFR 164.412: the clock stood still for the ten days of the delay.
      expect(Date.parse(after.dueAt) - Date.parse(before.dueAt)).toBe(10 * DAY);
      expect(after.clock?.pausedUntilDelayEnd).toBeFalsy();
      await env.sleep(Date.parse(after.dueAt) - (await env.currentTimeMs()) - 11 * HOUR);
      const audit = await auditOf(config, incidentId);
      const moved = actions(audit, 'obligation.rescheduled').filter(
        (e) => e.details.obligation === 'hipaa-individuals',
      );
      expect(moved).toHaveLength(2);
      expect(reminderHours(audit, 'hipaa-individuals', Date.parse(after.dueAt))).toEqual([-12]);
      await recordHistory('hipaa-delay', handle);
    });
  });
});
