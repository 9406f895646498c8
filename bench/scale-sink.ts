import { SMTPServer } from 'smtp-server';

// The relay the worker mails: a real SMTP server on loopback that keeps, for each message it accepts, the
// instant of acceptance and the message's idempotency key (X-Incident-Key), nothing else, so 10,000
// incidents' mail costs the benchmark little memory.

export interface Accepted {
  key: string;
  at: number;
}

export interface ScaleSink {
  url: string;
  accepted: Accepted[];
  close(): Promise<void>;
}

export async function startScaleSink(): Promise<ScaleSink> {
  const accepted: Accepted[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 16_384) head += c.toString('utf8');
      });
      stream.on('end', () => {
        const at = Date.now();
        const key = /^X-Incident-Key:\s*(.*)$/im.exec(head)?.[1].trim() ?? '';
        accepted.push({ key, at });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
