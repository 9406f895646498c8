import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { normaliseRecipient, signLinkToken } from '../../../domain/links/link-token';
import { boardUrl } from '../../../platform/board-url';
import { LinkKeyError, loadLinkSigner } from '../../../platform/link-key';
import { withExample, type CliContext } from '../command-context';
import { UsageError } from '../problem';

// A sign-in link to the board for a leader, made on the machine that holds the link key: how an operator
// signs someone in before any mail has gone out (and how `npm start` tells you to sign in).

export function addBoardLinkCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('board-link')
      .description('Print a signed link that signs a person the policy names in to the board')
      .requiredOption('--to <address>', 'the mail address the link is for (named in policy.recipients)')
      .option('--incident <id>', 'open this incident rather than the overview'),
    'incident board-link --to cto@example.com',
  ).action(async (opts: { to: string; incident?: string }) => {
    const config = ctx.config();
    const recipient = normaliseRecipient(opts.to);
    const named = Object.values(config.policy.recipients).some((list) =>
      list.some((a) => normaliseRecipient(a) === recipient),
    );
    if (!named)
      throw new UsageError(
        `${opts.to} is not named in policy.recipients; only the people the policy names may sign in to the board.`,
      );
    let signer;
    try {
      signer = loadLinkSigner(config);
    } catch (err) {
      if (!(err instanceof LinkKeyError)) throw err;
      throw new UsageError(`The link key is not on this machine: ${err.message} Run this where the worker runs.`);
    }
    const now = new Date();
    const token = signLinkToken(
      {
        v: 1,
        id: randomUUID(),
        action: opts.incident ? 'open-incident' : 'open-board',
        incidentId: opts.incident ?? '',
        recipient,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + config.links.ttlHours * 3_600_000).toISOString(),
      },
      signer.sign,
    );
    ctx.out.line(`${boardUrl(config)}/l/${token}`);
    ctx.out.line(`Works for ${config.links.ttlHours} h, for ${recipient} only; it is a credential: send it privately.`);
  });
}
