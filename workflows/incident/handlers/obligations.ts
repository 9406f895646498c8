import { patched } from '@temporalio/workflow';
import * as A from '../../../domain/actions';
import { describeOpenClocks } from '../../../domain/clocks/incident-clocks';
import { customerNoticeMail, draftCustomerNotice, rfoMail } from '../../../domain/notices';
import { obligationsForAssessment, rfoObligation } from '../../../domain/obligations';
import { renderMarkdown } from '../../../domain/report-document';
import { rfoReport } from '../../../domain/reports';
import * as api from '../../incident-api';
import { action, done } from '../actions';
import { SYSTEM_ACTOR, type IncidentRun } from '../incident-run';
import type { LegalClocks } from '../legal-clocks';
import type { MailQueue } from '../mail-queue';
import { addObligation, meet, pendingOf } from '../obligation-book';
import type { Reports } from '../reports';

// Actions that open, meet or waive what the organisation owes: the assessment that starts the legal
// clocks, the customer notice, the regulator filing, contacts (law enforcement among them), RFOs.

export function obligationActions(run: IncidentRun, mail: MailQueue, reports: Reports, clocks: LegalClocks) {
  const { s, audit, nowIso } = run;

  return {
    assess: action(api.assessUpdate, A.validateAssess, async (input) => {
      const policy = run.policy();
      const assessment = {
        dataImpact: input.dataImpact,
        customers: input.customers.map((c) => ({ name: c.name.trim(), email: c.email.trim() })),
        regulatorRequired: input.regulatorRequired ?? (input.dataImpact === 'personal' || input.dataImpact === 'both'),
        dataCategories: input.dataCategories ?? [],
        approxPeople: input.approxPeople,
        approxRecords: input.approxRecords,
        likelyConsequences: input.likelyConsequences,
        measures: input.measures,
        by: input.actor,
        at: nowIso(),
      };
      const seq = audit.record(input.actor, 'assessment.recorded', {
        dataImpact: assessment.dataImpact,
        customers: assessment.customers.length,
        regulatorRequired: assessment.regulatorRequired,
        dataCategories: assessment.dataCategories,
        approxPeople: assessment.approxPeople,
        approxRecords: assessment.approxRecords,
      });
      s.assessment = assessment;
      // The regulator's and the customers' clocks come from the legal-clock engine with every other regime's;
      // incidents assessed before it replay the two fixed clocks they had.
      if (patched('legal-clock-engine')) await clocks.refresh('the breach assessment');
      else obligationsForAssessment(s, assessment, policy).forEach((ob) => addObligation(run, ob));
      if (assessment.customers.length && assessment.dataImpact !== 'none') {
        s.customerNotice = { status: 'awaiting-approval', ...draftCustomerNotice(s, policy), deliveries: [] };
        audit.record(SYSTEM_ACTOR, 'customer-notice.drafted', { customers: assessment.customers.length });
      }
      if (assessment.regulatorRequired) void reports.renderDossier();
      return done(run, seq, `Assessment recorded.${describeOpenClocks(s)}`, { obligations: s.obligations });
    }),

    approveNotice: action(api.approveNoticeUpdate, A.validateApproveNotice, async ({ actor, subject, text }) => {
      const notice = s.customerNotice!;
      if (subject) notice.subject = subject;
      if (text) notice.text = text;
      notice.status = 'sending';
      notice.approvedBy = actor;
      notice.approvedAt = nowIso();
      const seq = audit.record(actor, 'customer-notice.approved', {
        subject: notice.subject,
        recipients: s.assessment!.customers.map((c) => c.email),
      });
      run.changed();
      const results = await Promise.all(
        s.assessment!.customers.map(async (c) => ({
          email: c.email,
          messageId: await mail.deliver(customerNoticeMail(s, notice, c)),
        })),
      );
      notice.deliveries = results.filter((r): r is { email: string; messageId: string } => !!r.messageId);
      notice.status = 'sent';
      const failed = results.filter((r) => !r.messageId).map((r) => r.email);
      // One customer obligation before the engine; one per contract clock with it.
      for (const ob of s.obligations.filter((o) => o.kind === 'notify-customers' && o.status === 'pending')) {
        if (failed.length === 0)
          meet(
            run,
            ob,
            actor,
            notice.deliveries.map((d) => `${d.email} ${d.messageId}`),
          );
        else ob.deliveryFailures.push(...failed.map((f) => `${f}: not delivered`));
      }
      audit.record(SYSTEM_ACTOR, 'customer-notice.sent', { delivered: notice.deliveries.length, failed });
      const message = failed.length
        ? `Notice sent to ${notice.deliveries.length} contact(s); NOT delivered to ${failed.join(', ')}: fix the address and contact them another way, then record the contact.`
        : `Notice approved and sent to ${notice.deliveries.length} contact(s).`;
      return done(run, seq, message, { deliveries: notice.deliveries, failed });
    }),

    regulatorFiling: action(
      api.regulatorFilingUpdate,
      A.validateRegulatorFiling,
      async ({ actor, reference, filedAt, lateReason, phase = 'initial', notes }) => {
        const filing = {
          phase,
          reference,
          filedAt: filedAt ? new Date(filedAt).toISOString() : nowIso(),
          by: actor,
          lateReason,
          notes,
        };
        s.regulatorFilings.push(filing);
        const seq = audit.record(actor, 'regulator.filed', { ...filing });
        const ob = pendingOf(run, 'notify-regulator');
        if (ob && phase === 'initial')
          meet(run, ob, actor, [`${run.policy().regulator.name} reference ${reference}`], lateReason);
        return done(run, seq, `${phase === 'initial' ? 'Filing' : 'Follow-up filing'} ${reference} recorded.`);
      },
    ),

    contact: action(api.contactUpdate, A.validateContact, async (input) => {
      const contact = {
        kind: input.kind,
        organisation: input.organisation,
        person: input.person,
        at: input.at ? new Date(input.at).toISOString() : nowIso(),
        shared: input.shared,
        reference: input.reference,
        by: input.actor,
      };
      s.contacts.push(contact);
      const seq = audit.record(input.actor, 'contact.recorded', { ...contact });
      const ob = pendingOf(run, 'inform-law-enforcement');
      if (ob && input.kind === 'law-enforcement')
        meet(run, ob, input.actor, [`${input.organisation}${input.reference ? ` ref. ${input.reference}` : ''}`]);
      return done(run, seq, `Contact with ${input.organisation} recorded.`);
    }),

    waive: action(api.waiveUpdate, A.validateWaive, async ({ actor, obligationId, reason }) => {
      const ob = s.obligations.find((o) => o.id === obligationId)!;
      ob.status = 'waived';
      ob.waivedReason = reason;
      return done(
        run,
        audit.record(actor, 'obligation.waived', { obligation: ob.id, reason }),
        `Obligation ${ob.id} waived.`,
      );
    }),

    requestRfo: action(api.requestRfoUpdate, A.validateRequestRfo, async ({ actor, customer, email }) => {
      const request = {
        id: `rfo-${s.rfoRequests.length + 1}`,
        customer,
        email,
        requestedAt: nowIso(),
        requestedBy: actor,
      };
      s.rfoRequests.push(request);
      const seq = audit.record(actor, 'rfo.requested', { requestId: request.id, customer, to: email });
      addObligation(run, rfoObligation(request.id, customer, request.requestedAt, run.policy()));
      return done(run, seq, `RFO request ${request.id} from ${customer} recorded.`, { requestId: request.id });
    }),

    sendRfo: action(api.sendRfoUpdate, A.validateSendRfo, async ({ actor, requestId }) => {
      const request = s.rfoRequests.find((r) => r.id === requestId)!;
      const files = await reports.render(['rfo']);
      const markdown = renderMarkdown(rfoReport(s, run.policy(), nowIso()));
      const messageId = await mail.deliver(rfoMail(s, request.id, request.email, markdown, run.policy()));
      if (!messageId) {
        return done(
          run,
          audit.record(actor, 'rfo.not-delivered', { requestId, to: request.email }),
          `The RFO could not be delivered to ${request.email}; see incident show.`,
        );
      }
      request.sentAt = nowIso();
      request.messageId = messageId;
      const seq = audit.record(actor, 'rfo.sent', {
        requestId,
        to: request.email,
        messageId,
        files: files.map((f) => f.path),
      });
      const ob = s.obligations.find((o) => o.id === `send-rfo-${requestId}` && o.status === 'pending');
      if (ob) meet(run, ob, actor, [messageId]);
      return done(run, seq, `RFO sent to ${request.email}.`, { messageId });
    }),
  };
}
