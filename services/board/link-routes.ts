import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LinkRefused, verifyLinkToken, type LinkClaims } from '../../domain/links/link-token';
import { html, notice, page, sendPage, type Raw } from './page';
import { sessionCookie, type SessionStore } from './sessions';

// GET /l/<token> says what the link will do and asks to confirm; only the POST acts, so the mail scanners
// that follow every link in a message change nothing. The form carries a token derived from the link's id
// with a secret of this process: a page from elsewhere cannot make one, and a stale page after a restart
// just asks to open the link again.

export interface Acknowledger {
  /** The acknowledge update with the link as proof; resolves to the workflow's message, or throws its refusal. */
  acknowledge(incidentId: string, recipient: string, token: string): Promise<string>;
}

export interface LinkRouteDeps {
  publicKeys: () => string[];
  acknowledger: Acknowledger;
  log: (event: Record<string, unknown>) => void;
  now?: () => Date;
  sessions: SessionStore;
  sessionIdleMs: number;
  /** The recipient's roles in the policy (policy.recipients); none: no session for them. */
  rolesOf: (recipient: string) => string[];
}

/** What confirming a link does, in words, before anything is done. */
function confirmation(c: LinkClaims): { title: string; what: Raw; button: string } {
  if (c.action === 'open-board')
    return {
      title: `Sign in as ${c.recipient}`,
      what: html`<p>
        Sign in as <strong>${c.recipient}</strong> to see the leadership board: every open incident and what is owed.
      </p>`,
      button: 'Sign in',
    };
  if (c.action === 'open-incident')
    return {
      title: `Sign in as ${c.recipient}`,
      what: html`<p>Sign in as <strong>${c.recipient}</strong> to see incident <strong>${c.incidentId}</strong>.</p>`,
      button: 'Sign in',
    };
  return {
    title: `Acknowledge incident ${c.incidentId}`,
    what: html`<p>
      You are about to acknowledge incident <strong>${c.incidentId}</strong> as <strong>${c.recipient}</strong>.
      Escalation to the next people on the list stops, and the audit trail records that you acknowledged it from this
      mail.
    </p>`,
    button: 'Acknowledge',
  };
}

export function registerLinkRoutes(app: FastifyInstance, deps: LinkRouteDeps): void {
  const secret = randomBytes(32);
  const now = () => (deps.now ?? (() => new Date()))();
  const formToken = (linkId: string) => createHmac('sha256', secret).update(`confirm\n${linkId}`).digest('base64url');

  function claimsOr(reply: FastifyReply, token: string): LinkClaims | undefined {
    try {
      return verifyLinkToken(token, deps.publicKeys(), now(), {});
    } catch (err) {
      if (!(err instanceof LinkRefused)) throw err;
      deps.log({ event: 'link.refused', reason: err.reason });
      void sendPage(
        reply,
        err.reason === 'expired' ? 410 : 403,
        notice('refused', 'This link cannot be used', html`<p>${err.message}</p>`),
      );
      return undefined;
    }
  }

  app.get('/l/:token', async (req: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const claims = claimsOr(reply, req.params.token);
    if (!claims) return reply;
    const { title, what, button } = confirmation(claims);
    deps.log({ event: 'link.opened', linkId: claims.id, action: claims.action, incidentId: claims.incidentId });
    const form = html`<form method="post" action="">
      <input type="hidden" name="confirm" value="${formToken(claims.id)}" /><button type="submit">${button}</button>
    </form>`;
    return sendPage(
      reply,
      200,
      page(
        title,
        html`<h1>${title}</h1>
          ${what}${form}`,
      ),
    );
  });

  app.post(
    '/l/:token',
    async (req: FastifyRequest<{ Params: { token: string }; Body: { confirm?: string } }>, reply) => {
      // A form posted from another site never gets here: server.ts refuses it before routing.
      const claims = claimsOr(reply, req.params.token);
      if (!claims) return reply;
      const given = Buffer.from(String(req.body?.confirm ?? ''));
      const expected = Buffer.from(formToken(claims.id));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        deps.log({ event: 'link.confirm-refused', linkId: claims.id });
        return sendPage(
          reply,
          403,
          notice(
            'refused',
            'Please confirm again',
            html`<p>
              The confirmation did not come from the page this link shows (or the service restarted since). Open the
              link from your mail again and press the button.
            </p>`,
          ),
        );
      }
      const roles = deps.rolesOf(claims.recipient);
      const signIn = () => {
        if (roles.length === 0) return;
        const id = deps.sessions.start(claims.recipient, roles);
        void reply.header('set-cookie', sessionCookie(id, deps.sessionIdleMs));
      };
      if (claims.action !== 'acknowledge') {
        if (roles.length === 0) {
          deps.log({ event: 'link.no-role', linkId: claims.id });
          return sendPage(
            reply,
            403,
            notice(
              'refused',
              'Not on the list',
              html`<p>${claims.recipient} is not named in the incident policy's recipients, so it cannot sign in.</p>`,
            ),
          );
        }
        signIn();
        deps.log({ event: 'link.signed-in', linkId: claims.id, action: claims.action });
        const to = claims.action === 'open-incident' ? `/incidents/${encodeURIComponent(claims.incidentId)}` : '/';
        return reply.code(303).header('location', to).send();
      }
      try {
        const message = await deps.acknowledger.acknowledge(claims.incidentId, claims.recipient, req.params.token);
        deps.log({ event: 'link.acknowledged', linkId: claims.id, incidentId: claims.incidentId });
        signIn();
        return sendPage(
          reply,
          200,
          notice(
            'done',
            `Incident ${claims.incidentId} acknowledged`,
            html`<p>${message}</p>
              <p><a href="/incidents/${claims.incidentId}">See the incident</a></p>`,
          ),
        );
      } catch (err) {
        const message = (err as Error).message;
        deps.log({ event: 'link.acknowledge-refused', linkId: claims.id, incidentId: claims.incidentId });
        signIn();
        return sendPage(reply, 409, notice('refused', 'Not acknowledged', html`<p>${message}</p>`));
      }
    },
  );
}
