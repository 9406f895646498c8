import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../domain/failure-types';
import type { MailMessage } from '../../domain/notices';
import { mailActs, seniorMailActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// Delivers each message, retrying with backoff for as long as needed, and makes a failure visible as a
// problem on the incident. Closing the incident abandons what is still retrying, and says so in the trail.

/** After SMTP has failed this often in a row, the workflow waits at most this long between tries. */
const MAIL_BACKOFF_MAX_MS = 30 * 60_000;

export type MailQueue = ReturnType<typeof createMailQueue>;

export function createMailQueue({ audit, addProblem, clearProblem, changed }: IncidentRun) {
  let inFlight = 0;
  const scope = new CancellationScope();

  async function deliverNow(message: MailMessage, acts: typeof mailActs): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await acts.sendMail(message);
        if (attempt > 1) {
          clearProblem(`mail:${message.key}`);
          changed();
        }
        audit.record(SYSTEM_ACTOR, 'mail.sent', {
          key: message.key,
          to: message.to,
          subject: message.subject,
          messageId: result.messageId,
          via: result.via,
          possibleDuplicate: result.possibleDuplicate || undefined,
        });
        return result.messageId;
      } catch (err) {
        if (isCancellation(err)) {
          audit.record(SYSTEM_ACTOR, 'mail.abandoned', {
            key: message.key,
            to: message.to,
            reason: 'incident closed before the mail could be delivered',
          });
          return undefined;
        }
        const failure = err as { cause?: { type?: string; message?: string }; message?: string };
        const reason = failure.cause?.message ?? failure.message ?? String(err);
        if (failure.cause?.type === FAILURE_TYPES.mailRejected) {
          addProblem(`mail:${message.key}`, `Mail to ${message.to.join(', ')} was refused: ${reason}`);
          audit.record(SYSTEM_ACTOR, 'mail.rejected', { key: message.key, to: message.to, error: reason });
          changed();
          return undefined;
        }
        if (attempt === 1) {
          addProblem(`mail:${message.key}`, `Mail to ${message.to.join(', ')} is failing and being retried: ${reason}`);
          audit.record(SYSTEM_ACTOR, 'mail.delivery-failing', { key: message.key, to: message.to, error: reason });
          changed();
        }
        await sleep(Math.min(30_000 * 2 ** (attempt - 1), MAIL_BACKOFF_MAX_MS));
      }
    }
  }

  return {
    /**
     * Resolves to the Message-ID once delivered, or undefined when refused or abandoned. `senior`: on the
     * senior alert's own task queue, where other incidents' steps cannot hold it back.
     */
    deliver(message: MailMessage, { senior = false } = {}): Promise<string | undefined> {
      inFlight++;
      const acts = senior ? seniorMailActs() : mailActs;
      return scope
        .run(() => deliverNow(message, acts))
        .finally(() => {
          inFlight--;
        });
    },
    inFlight: () => inFlight,
    abandonAll: () => scope.cancel(),
  };
}
