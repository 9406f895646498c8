import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Policy } from '../../domain/policy-schema';
import type { IncidentView } from '../../workflows/incident-api';
import type { IncidentSource } from './incident-source';
import type { AuditEntry } from '../../domain/audit-entry';
import { obligationTable } from './obligation-rows';
import { registerReportRoutes, reportNames } from './report-routes';
import { html, joinRaw, page, sendPage } from './page';
import { sessionIdOf, type Session, type SessionStore } from './sessions';

// The pages behind a session: the overview of open incidents and one incident. Without a session nothing
// of an incident is shown, not even whether it exists.

export interface BoardRouteDeps {
  sessions: SessionStore;
  source: IncidentSource;
  policy: Policy;
  /** The reports the worker rendered, from wherever it keeps them (the data dir or the object store). */
  reports: {
    names(incidentId: string): Promise<string[]>;
    read(incidentId: string, kind: string, format: string): Promise<string>;
  };
  /** An incident's audit trail, from wherever the worker keeps it (empty where it cannot be read). */
  trail: (incidentId: string) => Promise<AuditEntry[]>;
  log: (event: Record<string, unknown>) => void;
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

function zoneOf(policy: Policy, recipient: string): string {
  return policy.timeZones?.[recipient] ?? policy.timeZone;
}

export function registerBoardRoutes(app: FastifyInstance, deps: BoardRouteDeps): void {
  function sessionOr(req: FastifyRequest, reply: FastifyReply): Session | undefined {
    const session = deps.sessions.touch(sessionIdOf(req.headers.cookie));
    if (session) return session;
    void sendPage(
      reply,
      401,
      page(
        'Sign in',
        html`<h1>Sign in</h1>
          <p>You are not signed in, or your session ended. Open the link in your latest mail about an incident.</p>`,
      ),
    );
    return undefined;
  }

  /** Writes a view to the incident's trail once per session and page (board.js re-reads pages every 30 s). */
  async function recordView(session: Session, incidentId: string, page: string): Promise<void> {
    const key = `${incidentId}\n${page}`;
    if (session.recorded.has(key)) return;
    await deps.source.recordView(incidentId, session.recipient, page);
    session.recorded.add(key);
  }

  registerReportRoutes(app, deps.reports.read, (req, reply) => sessionOr(req, reply) !== undefined);

  const summary = (v: IncidentView, session: Session) => {
    const s = v.state;
    const now = new Date(v.now);
    return html`<section>
      <h2><a href="/incidents/${encodeURIComponent(s.incidentId)}">${s.incidentId}</a> [${s.severity}] ${s.title}</h2>
      <p>Phase: ${v.phase}. ${s.acknowledgement ? `Acknowledged by ${s.acknowledgement.by}.` : 'Not acknowledged.'}</p>
      ${obligationTable(
        s.obligations.filter((o) => o.status === 'pending'),
        {
          now,
          timeZone: zoneOf(deps.policy, session.recipient),
          policy: v.policy ?? deps.policy,
          caption: `Open obligations of ${s.incidentId}`,
        },
      )}
    </section>`;
  };

  app.get('/', async (req, reply) => {
    const session = sessionOr(req, reply);
    if (!session) return reply;
    const views = await deps.source.openIncidents();
    // The incident with the most pressing deadline first.
    const nearest = (v: IncidentView) =>
      Math.min(...v.state.obligations.filter((o) => o.status === 'pending').map((o) => Date.parse(o.dueAt)), Infinity);
    views.sort((a, b) => nearest(a) - nearest(b));
    deps.log({ event: 'board.overview', viewer: session.recipient, incidents: views.length });
    await Promise.all(views.map((v) => recordView(session, v.state.incidentId, '/')));
    return sendPage(
      reply,
      200,
      page(
        'Open incidents',
        html`<h1>Open incidents</h1>
          <p>Signed in as ${session.recipient}. <a href="/">Refresh</a></p>
          ${views.length ? joinRaw(views.map((v) => summary(v, session))) : html`<p>No open incident.</p>`}`,
      ),
    );
  });

  app.get('/incidents/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const session = sessionOr(req, reply);
    if (!session) return reply;
    const id = req.params.id;
    const view = SAFE_ID.test(id) ? await deps.source.incident(id) : undefined;
    if (!view)
      return sendPage(
        reply,
        404,
        page(
          'Not found',
          html`<h1>No such incident</h1>
            <p><a href="/">Back to the board</a></p>`,
        ),
      );
    deps.log({ event: 'board.viewed', viewer: session.recipient, incidentId: id });
    // Shown only once recorded: a view the trail cannot hold is not a view the board gives.
    await recordView(session, id, `/incidents/${id}`);
    const s = view.state;
    const zone = zoneOf(deps.policy, session.recipient);
    const systems = s.systems.map(
      (sys) =>
        html`<tr>
          <th scope="row">${sys.name}</th>
          <td>${sys.isolation.state}</td>
          <td>${sys.evidence.state}</td>
          <td>${sys.evidenceRecords.map((e) => `${e.source} sha256:${e.sha256}`).join(', ')}</td>
        </tr>`,
    );
    const contacts = s.contacts.map(
      (c) =>
        html`<li>
          ${c.kind}: ${c.organisation}${c.person ? ` (${c.person})` : ''}, <time datetime="${c.at}">${c.at}</time>
        </li>`,
    );
    const reports = (await reportNames(deps.reports.names, id)).map(
      (name) => html`<li><a href="/incidents/${encodeURIComponent(id)}/reports/${name}">${name}</a></li>`,
    );
    const timeline = (await deps.trail(id))
      .slice(-200)
      .reverse()
      .map(
        (e) =>
          html`<tr>
            <td><time datetime="${e.at}">${e.at}</time></td>
            <td>${e.actor}</td>
            <td>${e.action}</td>
          </tr>`,
      );
    return sendPage(
      reply,
      200,
      page(
        `${s.incidentId} ${s.title}`,
        html`<h1>${s.incidentId}: ${s.title}</h1>
          <p><a href="/">Back to the board</a> · <a href="/incidents/${encodeURIComponent(id)}">Refresh</a></p>
          <dl>
            <dt>Severity</dt>
            <dd>${s.severity}</dd>
            <dt>Phase</dt>
            <dd>${view.phase}</dd>
            <dt>Aware at</dt>
            <dd><time datetime="${s.awareAt}">${s.awareAt}</time></dd>
            <dt>Acknowledged</dt>
            <dd>${s.acknowledgement ? `by ${s.acknowledgement.by} at ${s.acknowledgement.at}` : 'not yet'}</dd>
          </dl>
          <h2>Obligations</h2>
          ${obligationTable(s.obligations, {
            now: new Date(view.now),
            timeZone: zone,
            policy: view.policy ?? deps.policy,
            caption: `Obligations of ${s.incidentId}`,
          })}
          <h2>Systems</h2>
          ${
            systems.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th scope="col">System</th>
                      <th scope="col">Isolation</th>
                      <th scope="col">Evidence</th>
                      <th scope="col">Evidence hashes</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${joinRaw(systems)}
                  </tbody>
                </table>`
              : html`<p>No systems.</p>`
          }
          <h2>Contacts</h2>
          ${
            contacts.length
              ? html`<ul>
                  ${joinRaw(contacts)}
                </ul>`
              : html`<p>None recorded.</p>`
          }
          <h2>Reports</h2>
          ${
            reports.length
              ? html`<ul>
                  ${joinRaw(reports)}
                </ul>`
              : html`<p>None rendered yet.</p>`
          }
          <h2>Timeline</h2>
          ${
            timeline.length
              ? html`<table>
                  <caption>
                    From the audit trail, newest first
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">When (UTC)</th>
                      <th scope="col">Who</th>
                      <th scope="col">What</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${joinRaw(timeline)}
                  </tbody>
                </table>`
              : html`<p>The audit trail is not on this machine.</p>`
          }`,
      ),
    );
  });
}
