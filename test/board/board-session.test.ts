import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IncidentClient } from '../../client/incident-client';
import type { Obligation } from '../../domain/incident';
import { signLinkToken, type LinkAction } from '../../domain/links/link-token';
import type { Config } from '../../platform/config/schema';
import { defaultPolicy } from '../../domain/policy-schema';
import { recipientsForObligation } from '../../domain/policy';
import type { LinkSigner } from '../../platform/link-key';
import { obligationTable } from '../../services/board/obligation-rows';
import type { BoardServer } from '../../services/board/server';
import { startBoardWorld, type BoardWorld } from '../helpers/board-world';
import { uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { actions, auditOf } from '../helpers/time-skipping';

// Signing in to the board from a mail link, as a leader does: the link's page changes nothing, the
// confirmed form starts a session, and without one nothing of any incident shows.

let connection: Connection;
let native: NativeConnection;
let smtp: TestSmtp;
let world: BoardWorld;
let config: Config;
let signer: LinkSigner;
let board: BoardServer;
let incidents: IncidentClient;
let logs: string[];

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  native = await NativeConnection.connect({ address: inject('devServerAddress') });
  smtp = await startTestSmtp();
  world = await startBoardWorld({ client: connection, native, smtp });
  ({ config, signer, board, incidents, logs } = world);
});

afterAll(async () => {
  await world?.stop();
  await smtp?.close();
  await native?.close();
  await connection?.close();
});

const TITLE = 'Web shell <script>alert(1)</script> on web-01';

async function openIncident(): Promise<string> {
  const incidentId = uniqueId('BRD');
  await incidents.open({
    incidentId,
    title: TITLE,
    severity: 'SEV1',
    category: 'intrusion',
    systems: [],
    detection: 'EDR <img src=x onerror=alert(2)>',
    awareAt: new Date().toISOString(),
    openedBy: 'alice',
  });
  await incidents.viewWithPolicy(incidentId);
  return incidentId;
}

function link(action: LinkAction, incidentId: string, recipient = 'cto@example.com', ttlMs = 3_600_000): string {
  const token = signLinkToken(
    {
      v: 1,
      id: uniqueId('link'),
      action,
      incidentId,
      recipient,
      issuedAt: new Date(Date.now() - 60_000).toISOString(),
      expiresAt: new Date(Date.now() + ttlMs).toISOString(),
    },
    signer.sign,
  );
  return `${board.url}/l/${token}`;
}

const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    redirect: 'manual',
  });

async function confirmOf(url: string): Promise<{ body: string; confirm: string }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const body = await res.text();
  return { body, confirm: /name="confirm" value="([^"]+)"/.exec(body)![1] };
}

/** Signs in with the link and returns the Cookie header value to send. */
async function signIn(url: string): Promise<{ cookie: string; location: string | null; setCookie: string }> {
  const { confirm } = await confirmOf(url);
  const res = await post(url, { confirm });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0], location: res.headers.get('location'), setCookie };
}

describe('the board behind a mail link', () => {
  it('shows nothing without a session; an open-incident link signs in and shows the incident escaped', async () => {
    const incidentId = await openIncident();
    const noSession = await fetch(`${board.url}/incidents/${incidentId}`);
    const denied = await noSession.text();
    expect(noSession.status).toBe(401);
    expect(denied).toContain('Open the link in your latest mail');
    expect(denied).not.toContain(incidentId);
    expect(denied).not.toContain('Web shell');
    const overview = await fetch(`${board.url}/`);
    expect(overview.status).toBe(401);
    expect(await overview.text()).not.toContain(incidentId);

    const url = link('open-incident', incidentId);
    const { body } = await confirmOf(url);
    expect(body).toContain(
      `Sign in as <strong>cto@example.com</strong> to see incident <strong>${incidentId}</strong>`,
    );
    expect((await post(url, {})).status).toBe(403);
    expect((await post(url, { confirm: 'forged' })).status).toBe(403);

    const { cookie, location, setCookie } = await signIn(url);
    expect(location).toBe(`/incidents/${incidentId}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);

    const res = await fetch(`${board.url}/incidents/${incidentId}`, { headers: { cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain(incidentId);
    expect(html).toContain('Web shell &lt;script&gt;alert(1)&lt;/script&gt; on web-01');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<main id="main">');
    expect(html).toContain('<script src="/assets/board.js" defer></script>');
    expect(html).not.toMatch(/<script>/);
    const script = await fetch(`${board.url}/assets/board.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('data-due');

    // The view is in the incident's audit trail: who, which page.
    const deadline = Date.now() + 15_000;
    let viewed = actions(await auditOf(config, incidentId), 'board.viewed');
    while (viewed.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      viewed = actions(await auditOf(config, incidentId), 'board.viewed');
    }
    expect(viewed[0]?.actor).toBe('cto@example.com');
    expect(viewed[0]?.details).toEqual({ viewer: 'cto@example.com', page: `/incidents/${incidentId}` });

    // The timeline comes from the trail; a report name is a kind and a format, never a path.
    expect(html).toContain('incident.opened');
    const traversal = await fetch(`${board.url}/incidents/${incidentId}/reports/..%2F..%2Fetc%2Fpasswd`, {
      headers: { cookie },
    });
    expect(traversal.status).toBe(400);
    expect(await traversal.text()).not.toContain('root:');
    const noSessionReport = await fetch(`${board.url}/incidents/${incidentId}/reports/rca.md`);
    expect(noSessionReport.status).toBe(401);

    const board1 = await fetch(`${board.url}/`, { headers: { cookie } });
    expect(await board1.text()).toContain(incidentId);

    // A session cookie riding a form from another site is refused.
    const cross = await post(url, { confirm: 'x' }, { origin: 'https://evil.example', cookie });
    expect(cross.status).toBe(403);
    // From a sandboxed frame on another site the Origin is "null"; the browser still names the site.
    const sandboxed = await post(url, { confirm: 'x' }, { origin: 'null', 'sec-fetch-site': 'cross-site', cookie });
    expect(sandboxed.status).toBe(403);
    expect(await sandboxed.text()).toContain('sent from another site');

    expect(logs.join('\n')).not.toContain(url.slice(url.indexOf('/l/') + 3));
  });

  it('an acknowledge link: the GET changes nothing, the confirmed POST acknowledges and signs in', async () => {
    const incidentId = await openIncident();
    const url = link('acknowledge', incidentId);
    const { body, confirm } = await confirmOf(url);
    expect(body).toContain(`acknowledge incident <strong>${incidentId}</strong> as <strong>cto@example.com</strong>`);
    expect((await incidents.view(incidentId)).state.acknowledgement).toBeUndefined();
    expect((await post(url, {})).status).toBe(403);
    expect((await incidents.view(incidentId)).state.acknowledgement).toBeUndefined();
    const done = await post(url, { confirm });
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toMatch(/^board_session=/);
    expect((await incidents.view(incidentId)).state.acknowledgement?.by).toBe('cto@example.com');
    expect(logs.join('\n')).not.toContain(url.slice(url.indexOf('/l/') + 3));
  });

  it('refuses links for another recipient, other incidents, expired, and addresses the policy does not name', async () => {
    const incidentId = await openIncident();
    const expired = link('open-board', '', 'cto@example.com', -1000);
    const res = await fetch(expired);
    expect(res.status).toBe(410);
    expect(await res.text()).not.toContain(expired.slice(expired.indexOf('/l/') + 3));
    const stranger = link('open-board', '', 'mallory@evil.test');
    const { confirm } = await confirmOf(stranger);
    const refused = await post(stranger, { confirm });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('not named in the incident policy');
    // A link for one incident's acknowledgement cannot be replayed against another's form.
    const other = link('acknowledge', incidentId);
    const otherConfirm = (await confirmOf(link('acknowledge', incidentId))).confirm;
    expect((await post(other, { confirm: otherConfirm })).status).toBe(403);
    expect((await incidents.view(incidentId)).state.acknowledgement).toBeUndefined();
  });
});

describe('the obligation table', () => {
  const ob = (id: string, dueAt: string, status: Obligation['status'] = 'pending'): Obligation => ({
    id,
    kind: 'gdpr-authority' as Obligation['kind'],
    title: `Obligation ${id}`,
    owedTo: 'CNIL <b>',
    dueAt,
    status,
    proof: [],
    noticesSent: [],
    deliveryFailures: [],
  });
  it('lists the overdue obligation first, marked OVERDUE in words, then the nearest deadline', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const html = obligationTable(
      [ob('later', '2026-12-05T12:00:00Z'), ob('soon', '2026-12-03T14:00:00Z'), ob('late', '2026-12-03T10:00:00Z')],
      { now, timeZone: 'Europe/Paris', policy: defaultPolicy(), caption: 'test' },
    ).value;
    const order = ['late', 'soon', 'later'].map((id) => html.indexOf(`Obligation ${id}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toMatch(/class="overdue"[\s\S]*Obligation late[\s\S]*OVERDUE/);
    expect(html).toContain('due within 4 h');
    expect(html).toContain('<time datetime="2026-12-03T10:00:00Z" data-zone="Europe/Paris">');
    expect(html).toContain('CNIL &lt;b&gt;');
    // The next reminder of the obligation due at 14:00 is the policy's 1 h one, at 13:00, to its recipients;
    // the overdue one's next notice is its repeat, one overdueRepeatHours after the deadline.
    const policy = defaultPolicy();
    const soonRow = html.slice(html.indexOf('Obligation soon'), html.indexOf('</tr>', html.indexOf('Obligation soon')));
    expect(soonRow).toContain('2026-12-03T13:00:00Z');
    expect(soonRow).toContain(`to ${recipientsForObligation(policy, {}).join(', ')}`);
    const lateRow = html.slice(html.indexOf('Obligation late'), html.indexOf('</tr>', html.indexOf('Obligation late')));
    const repeat = new Date(Date.parse('2026-12-03T10:00:00Z') + policy.overdueRepeatHours * 3_600_000);
    expect(lateRow).toContain(repeat.toISOString().replace('.000Z', 'Z'));
  });
});
