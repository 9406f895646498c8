import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../domain/config';
import type { MailMessage } from '../domain/notices';

// Sends each message at most once per idempotency key: a ledger under the data dir records every
// delivery, is checked before each send, and the SMTP Message-ID is derived from the key, so even the
// narrow window between a send and its ledger write yields a duplicate that mail clients can collapse.

export interface MailDelivery {
  messageId: string;
  deduplicated: boolean;
  /** Where the message went: "smtp://host:port" or the .eml file in the outbox. */
  via: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailDelivery>;
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
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//)`);
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
  return { host: config.host!, port, secure: config.secure ?? port === 465, user: config.user, password: config.password };
}

class LedgerMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly ledgerDir: string,
    private readonly from: string,
    private readonly target: SmtpTarget | { outboxDir: string },
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

  private ledgerFile(key: string): string {
    return path.join(this.ledgerDir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async send(message: MailMessage): Promise<MailDelivery> {
    const ledger = this.ledgerFile(message.key);
    try {
      const recorded = JSON.parse(await readFile(ledger, 'utf8')) as MailDelivery;
      return { ...recorded, deduplicated: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const messageId = messageIdFor(message.key);
    const envelope = {
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      headers: { 'X-Incident-Key': message.key },
    };
    let via: string;
    try {
      const info = await this.transport.sendMail(envelope);
      if ('outboxDir' in this.target) {
        await mkdir(this.target.outboxDir, { recursive: true });
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${message.key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)}.eml`;
        via = path.join(this.target.outboxDir, name);
        await writeFile(`${via}.tmp`, info.message as Buffer, { mode: 0o640 });
        await rename(`${via}.tmp`, via);
      } else {
        via = `smtp://${this.target.host}:${this.target.port}`;
        if (info.rejected?.length) throw new MailRejectedError(`The mail server refused ${info.rejected.join(', ')}`);
      }
    } catch (err) {
      throw classifyMailError(err);
    }
    const delivery: MailDelivery = { messageId, deduplicated: false, via };
    await mkdir(this.ledgerDir, { recursive: true });
    await writeFile(`${ledger}.tmp`, JSON.stringify({ ...delivery, key: message.key, to: message.to, at: new Date().toISOString() }));
    await rename(`${ledger}.tmp`, ledger);
    return delivery;
  }

  close(): void {
    this.transport.close();
  }
}

/** 5xx answers (unknown mailbox, policy refusal) are permanent; everything else is worth retrying. */
function classifyMailError(err: unknown): Error {
  if (err instanceof MailRejectedError) return err;
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
    return new MailRejectedError(`The mail server refused the message permanently (${e.responseCode}): ${(e.response ?? e.message ?? '').slice(0, 300)}`);
  }
  return new Error(`Mail delivery failed (${e.code ?? 'error'}): ${(e.message ?? String(err)).slice(0, 300)}`);
}

export function createMailer(opts: { dataDir: string; from: string; smtp?: SmtpConfig }): Mailer {
  const ledgerDir = path.join(opts.dataDir, 'mail-ledger');
  return new LedgerMailer(ledgerDir, opts.from, opts.smtp ? smtpTarget(opts.smtp) : { outboxDir: path.join(opts.dataDir, 'outbox') });
}
