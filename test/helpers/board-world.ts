import { Client, type Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { inject } from 'vitest';
import { IncidentClient } from '../../client/incident-client';
import { parseConfig, type Config } from '../../platform/config/schema';
import { loadLinkSigner, trustedLinkKeys, type LinkSigner } from '../../platform/link-key';
import type { BoardServer } from '../../services/board/server';
import { startBoard } from '../../services/board/start';
import { createIncidentWorker } from '../../worker/create-worker';
import { labConfig, uniqueId } from './fixtures';
import type { TestSmtp } from './smtp';

// What the mail-link and board tests share: a worker that signs the links in its mail, the board those
// links point at, both on one task queue of the shared dev server, with mail to a real SMTP server.

export interface BoardWorld {
  config: Config;
  signer: LinkSigner;
  board: BoardServer;
  incidents: IncidentClient;
  /** The board's structured log lines, as JSON. */
  logs: string[];
  stop(): Promise<void>;
}

export async function startBoardWorld(
  connections: { client: Connection; native: NativeConnection; smtp: TestSmtp },
  settings: Record<string, unknown> = {},
  labOptions: Parameters<typeof labConfig>[0] = {},
  /** The address mail links name, from the one the board listens on (a TLS name in front of 127.0.0.1). */
  publicUrlOf: (listenUrl: string) => string = (url) => url,
): Promise<BoardWorld> {
  const { dataDir } = await labConfig(labOptions);
  const config = parseConfig(
    { dataDir, smtp: { url: connections.smtp.url }, board: { port: 0 }, ...settings },
    {},
    'test',
  );
  config.temporal.taskQueue = uniqueId('board');
  const signer = loadLinkSigner(config, { create: true });
  const logs: string[] = [];
  const client = new Client({ connection: connections.client });
  const board = await startBoard(config, client, trustedLinkKeys(config, signer), (e) => logs.push(JSON.stringify(e)));
  config.board.publicUrl = publicUrlOf(board.url);
  const parts = await createIncidentWorker(
    connections.native,
    config,
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    {},
    { linkSigner: signer },
  );
  const running = parts.worker.run();
  return {
    config,
    signer,
    board,
    incidents: new IncidentClient(client, config.temporal.taskQueue),
    logs,
    async stop() {
      parts.worker.shutdown();
      await running;
      parts.mailer.close();
      await board.close();
    },
  };
}

/** The senior alert each of `count` recipients received, as recipient → its Acknowledge link. */
export async function alertLinks(smtp: TestSmtp, incidentId: string, count: number): Promise<Map<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const alerts = smtp.messages.filter((m) => m.subject.includes(`Security incident ${incidentId}:`));
    if (alerts.length >= count) {
      const links = new Map<string, string>();
      for (const m of alerts) {
        if (m.to.length !== 1) throw new Error(`a senior alert went to ${m.to.length} recipients at once`);
        const parsed = await simpleParser(m.raw);
        const url = /Acknowledge: (\S+)/.exec(parsed.text ?? '')?.[1];
        if (!url) throw new Error(`no acknowledge link in the mail to ${m.to[0]}`);
        if (!String(parsed.html).includes(`href="${url}"`))
          throw new Error(`the HTML part to ${m.to[0]} lacks the link`);
        links.set(m.to[0], url);
      }
      return links;
    }
    if (Date.now() > deadline) throw new Error(`no senior alert for ${incidentId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
