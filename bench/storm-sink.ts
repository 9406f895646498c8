import { SMTPServer } from 'smtp-server';

// The mail relay both programs send to: a real SMTP server on loopback that notes the instant it accepts
// each message (the end of DATA, before it answers 250), which is where "POST → mail" ends. Only the
// senior alert to the CTO counts; an incident's other mails are accepted and dropped.

export const CTO = 'cto@example.com';

/** The subject the system gives a level-0 senior alert, and the floor copies: "[SEV2] Security incident <id>: <title>". */
const SENIOR_ALERT = /^\[[A-Z0-9]+\] Security incident \S+: Storm alert (\S+)$/;

export interface StormSink {
  port: number;
  /** Alert tag → performance.now() at the first acceptance of its senior alert. */
  accepted: Map<string, number>;
  /** Every message accepted, the senior alerts included. */
  messages(): number;
  /** Resolves once every tag has its mail, or after `timeoutMs`; the tags still missing. */
  waitFor(tags: readonly string[], timeoutMs: number): Promise<string[]>;
  close(): Promise<void>;
}

function subjectOf(head: string): string {
  const match = /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return match ? match[1].replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

export async function startStormSink(): Promise<StormSink> {
  const accepted = new Map<string, number>();
  let messages = 0;
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const at = performance.now();
        messages++;
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, Math.max(0, raw.search(/\r?\n\r?\n/)) || raw.length);
        const tag = SENIOR_ALERT.exec(subjectOf(head))?.[1];
        const toCto = session.envelope.rcptTo.some((r) => r.address.toLowerCase() === CTO);
        if (tag && toCto && !accepted.has(tag)) {
          accepted.set(tag, at);
          for (const wake of waiters) wake();
        }
        callback();
      });
    },
  });
  // A program stopped mid-delivery resets its connection: that is the end of a step, not of the relay.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as { port: number }).port,
    accepted,
    messages: () => messages,
    waitFor(tags, timeoutMs) {
      const missing = () => tags.filter((t) => !accepted.has(t));
      return new Promise((resolve) => {
        const done = () => {
          if (missing().length && Date.now() < deadline) return;
          waiters.delete(done);
          clearTimeout(timer);
          resolve(missing());
        };
        const deadline = Date.now() + timeoutMs;
        const timer = setTimeout(() => {
          waiters.delete(done);
          resolve(missing());
        }, timeoutMs);
        waiters.add(done);
        done();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
