import { createHash } from 'node:crypto';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../platform/config/schema';
import type { MailMessage } from '../domain/notices';
import { calendarPart } from './calendar-ics';
import { exists, writeDurably } from '../stores/durable-files';
import { fileMailLedger, type LedgerRecord, type MailLedger, type SendIntent } from '../stores/mail-ledger';
import { NO_FAULTS, type FaultPoints } from '../platform/fault-points';

// Sends each message once per idempotency key, as far as SMTP allows. A ledger under the data dir
// records every delivery and is checked before each send; the SMTP Message-ID is derived from the key.
// Before a message is handed over, a durable "sending" intent is written. A retry that finds an intent
// still in flight cannot know whether the relay accepted the earlier attempt (SMTP has no way to ask),
// so it sends again with the same Message-ID and says so: the delivery is marked as a possible
// duplicate. The outbox folder, which can be looked in, gets each message exactly once.

export interface MailDelivery {
  messageId: string;
  deduplicated: boolean;
  /** Where the message went: "smtp://host:port" (with a note when it may be a duplicate) or the .eml file in the outbox. */
  via: string;
  /** An earlier attempt was interrupted after it may have reached the relay: the relay may hold two copies, same Message-ID. */
  possibleDuplicate?: boolean;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailDelivery>;
  /** The ledger's record of a key already delivered, if any. */
  delivered(key: string): Promise<MailDelivery | undefined>;
  close(): void;
}

export class MailRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailRejectedError';
  }
}

export function messageIdFor(key: string, domain = 'incident-response.local'): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

/** Resolves SMTP_URL or host/port settings; the password never leaves this object. */
export function smtpTarget(config: SmtpConfig): SmtpTarget {
  if (config.url) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new Error('SMTP_URL is not a URL; use smtp://user:password@host:587 or smtps://host:465');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//)`);
    const secure = url.protocol === 'smtps:';
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      user: url.username ? decodeURIComponent(url.username) : config.user,
      password: url.password ? decodeURIComponent(url.password) : config.password,
    };
  }
  const port = config.port ?? 587;
  return {
    host: config.host!,
    port,
    secure: config.secure ?? port === 465,
    user: config.user,
    password: config.password,
  };
}

class LedgerMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly ledger: MailLedger,
    private readonly from: string,
    private readonly target: SmtpTarget | { outboxDir: string },
    private readonly faults: FaultPoints = NO_FAULTS,
  ) {
    if ('outboxDir' in target) {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    } else {
      const loopback = isLoopback(target.host);
      this.transport = nodemailer.createTransport({
        host: target.host,
        port: target.port,
        secure: target.secure,
        // STARTTLS is mandatory except on loopback, where a local relay or test server needs none.
        requireTLS: !target.secure && !loopback,
        ignoreTLS: loopback && !target.secure,
        tls: { minVersion: 'TLSv1.2', rejectUnauthorized: !loopback },
        auth: target.user ? { user: target.user, pass: target.password ?? '' } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    }
  }

  async delivered(key: string): Promise<MailDelivery | undefined> {
    const record = await this.ledger.delivered(key);
    return record && deliveryOf(record);
  }

  send(message: MailMessage): Promise<MailDelivery> {
    return this.ledger.exclusive(message.key, (ledger) => this.sendOnce(message, ledger));
  }

  private async sendOnce(message: MailMessage, ledger: MailLedger): Promise<MailDelivery> {
    const recorded = await ledger.delivered(message.key);
    if (recorded) return { ...deliveryOf(recorded), deduplicated: true };
    const messageId = messageIdFor(message.key);
    const previous = await ledger.intent(message.key);
    const now = new Date().toISOString();
    const intent: SendIntent = {
      key: message.key,
      messageId,
      to: message.to,
      firstAttemptAt: previous?.firstAttemptAt ?? now,
      attempts: (previous?.attempts ?? 0) + 1,
      state: 'in-flight',
      uncertain: Boolean(previous && (previous.uncertain || previous.state === 'in-flight')),
      outboxFile:
        'outboxDir' in this.target
          ? (previous?.outboxFile ??
            path.join(
              this.target.outboxDir,
              `${now.replace(/[:.]/g, '-')}-${message.key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)}.eml`,
            ))
          : undefined,
    };
    await ledger.saveIntent(intent);
    await this.faults.reach('mail-before-send');
    const envelope = {
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      headers: { 'X-Incident-Key': message.key },
      ...calendarPart(message.calendar, this.from),
    };
    let via: string;
    try {
      if (intent.outboxFile) {
        via = intent.outboxFile;
        // An interrupted attempt that finished its file has delivered the message: it is not written twice.
        if (!(await exists(via))) {
          const info = await this.transport.sendMail(envelope);
          await writeDurably(via, info.message as Buffer, 0o640);
        }
      } else {
        const target = this.target as SmtpTarget;
        const info = await this.transport.sendMail(envelope);
        via = `smtp://${target.host}:${target.port}`;
        if (info.rejected?.length) throw new MailRejectedError(`The mail server refused ${info.rejected.join(', ')}`);
      }
    } catch (err) {
      if (certainlyNotAccepted(err)) await ledger.saveIntent({ ...intent, state: 'not-accepted' });
      throw classifyMailError(err);
    }
    await this.faults.reach('mail-after-accept');
    const possibleDuplicate = intent.uncertain && !intent.outboxFile;
    const delivery: MailDelivery = possibleDuplicate
      ? {
          messageId,
          deduplicated: false,
          via: `${via} (possible duplicate: an earlier attempt since ${intent.firstAttemptAt} was interrupted after the message may have reached the relay; every copy carries Message-ID ${messageId})`,
          possibleDuplicate: true,
        }
      : { messageId, deduplicated: false, via };
    await ledger.record({
      ...delivery,
      key: message.key,
      to: message.to,
      at: new Date().toISOString(),
      attempts: intent.attempts,
    });
    return delivery;
  }

  close(): void {
    this.transport.close();
  }
}

function deliveryOf(record: LedgerRecord): MailDelivery {
  const { messageId, deduplicated, via, possibleDuplicate } = record;
  return { messageId, deduplicated, via, ...(possibleDuplicate ? { possibleDuplicate } : {}) };
}

/**
 * True when the relay certainly did not take the message: it answered with a refusal, or it was never
 * reached. A connection lost or timed out later may have lost only the relay's "250 OK".
 */
function certainlyNotAccepted(err: unknown): boolean {
  const e = err as { responseCode?: number; syscall?: string; originalCode?: string; code?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return true;
  if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') return true;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(
    e.originalCode ?? e.code ?? '',
  );
}

/** 5xx answers (unknown mailbox, policy refusal) are permanent; everything else is worth retrying. */
function classifyMailError(err: unknown): Error {
  if (err instanceof MailRejectedError) return err;
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
    return new MailRejectedError(
      `The mail server refused the message permanently (${e.responseCode}): ${(e.response ?? e.message ?? '').slice(0, 300)}`,
    );
  }
  return new Error(`Mail delivery failed (${e.code ?? 'error'}): ${(e.message ?? String(err)).slice(0, 300)}`);
}

export function createMailer(opts: {
  dataDir: string;
  from: string;
  smtp?: SmtpConfig;
  faults?: FaultPoints;
  /** Where deliveries are remembered; default: files under the data dir. */
  ledger?: MailLedger;
}): Mailer {
  return new LedgerMailer(
    opts.ledger ?? fileMailLedger(path.join(opts.dataDir, 'mail-ledger')),
    opts.from,
    opts.smtp ? smtpTarget(opts.smtp) : { outboxDir: path.join(opts.dataDir, 'outbox') },
    opts.faults,
  );
}
