import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey } from '../../client/action-signer';
import { ActionRefused } from '../../domain/actions';
import { signLinkToken, verifyLinkToken, type LinkClaims } from '../../domain/links/link-token';
import { loadLinkSigner } from '../../platform/link-key';
import * as api from '../../workflows/incident-api';
import { alertLinks as alertLinksOf, startBoardWorld, type BoardWorld } from '../helpers/board-world';
import { uniqueId } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { actions, auditOf } from '../helpers/time-skipping';

// Acknowledging from the senior alert as a CTO does on a phone: each recipient gets their own mail with
// their own signed link; opening it changes nothing (mail scanners open links); confirming acknowledges
// through the same update as the CLI, recorded "via mail link" with the link's id and never the link.

let connection: Connection;
let native: NativeConnection;
let smtp: TestSmtp;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  native = await NativeConnection.connect({ address: inject('devServerAddress') });
  smtp = await startTestSmtp();
});

afterAll(async () => {
  await smtp?.close();
  await native?.close();
  await connection?.close();
});

const startWorld = (settings: Record<string, unknown> = {}) =>
  startBoardWorld({ client: connection, native, smtp }, settings);

async function open(world: BoardWorld): Promise<string> {
  const incidentId = uniqueId('LINK');
  await world.incidents.open({
    incidentId,
    title: 'Web shell on web-01',
    severity: 'SEV1',
    category: 'intrusion',
    systems: [],
    detection: 'EDR',
    awareAt: new Date().toISOString(),
    openedBy: 'alice',
  });
  return incidentId;
}

const alertLinks = (incidentId: string, count: number) => alertLinksOf(smtp, incidentId, count);

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/l/') + 3);

/** GETs the confirm page and returns the form's hidden value. */
async function confirmValue(url: string): Promise<string> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const body = await page.text();
  return /name="confirm" value="([^"]+)"/.exec(body)![1];
}

const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    redirect: 'manual',
  });

describe('acknowledging from the senior alert', () => {
  it('mails each recipient their own link; opening it changes nothing; confirming acknowledges once, via mail link', async () => {
    const world = await startWorld();
    try {
      const incidentId = await open(world);
      const links = await alertLinks(incidentId, 2);
      expect([...links.keys()].sort()).toEqual(['ciso@example.com', 'cto@example.com']);
      const ctoUrl = links.get('cto@example.com')!;
      expect(ctoUrl.startsWith(`${world.board.url}/l/`)).toBe(true);
      const claims = verifyLinkToken(tokenOf(ctoUrl), [world.signer.publicKey], new Date(), {
        action: 'acknowledge',
        incidentId,
        recipient: 'cto@example.com',
      });
      expect(() =>
        verifyLinkToken(tokenOf(ctoUrl), [world.signer.publicKey], new Date(), { recipient: 'ciso@example.com' }),
      ).toThrow(/sent to someone else/);

      // Opening the link, as a mail scanner does, shows what would happen and does nothing.
      const page = await fetch(ctoUrl);
      const body = await page.text();
      expect(page.status).toBe(200);
      expect(body).toContain(`acknowledge incident <strong>${incidentId}</strong> as <strong>cto@example.com</strong>`);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect((await world.incidents.view(incidentId)).state.acknowledgement).toBeUndefined();

      // A POST without the page's confirmation, or from another site, is refused.
      expect((await post(ctoUrl, {})).status).toBe(403);
      const confirm = /name="confirm" value="([^"]+)"/.exec(body)![1];
      expect((await post(ctoUrl, { confirm }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await world.incidents.view(incidentId)).state.acknowledgement).toBeUndefined();

      const done = await post(ctoUrl, { confirm });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain(`Incident ${incidentId} acknowledged`);
      const view = await world.incidents.view(incidentId);
      expect(view.state.acknowledgement?.by).toBe('cto@example.com');
      const acked = actions(await auditOf(world.config, incidentId), 'incident.acknowledged');
      expect(acked).toHaveLength(1);
      expect(acked[0].actor).toBe('cto@example.com');
      expect(acked[0].details).toMatchObject({ via: 'mail link', linkId: claims.id });

      // The other recipient's link, a second time: already done, and by whom.
      const cisoUrl = links.get('ciso@example.com')!;
      const again = await post(cisoUrl, { confirm: await confirmValue(cisoUrl) });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain(`already acknowledged by cto@example.com`);
      expect(actions(await auditOf(world.config, incidentId), 'incident.acknowledged')).toHaveLength(1);
      await recordHistory('acknowledged-via-mail-link', world.incidents.handle(incidentId));

      // No link ever reaches a log line or the trail.
      const trail = await readFile(path.join(world.config.dataDir, 'audit', `${incidentId}.jsonl`), 'utf8');
      for (const url of links.values()) {
        expect(trail).not.toContain(tokenOf(url));
        expect(world.logs.join('\n')).not.toContain(tokenOf(url));
      }
      expect(world.logs.join('\n')).toContain(`"linkId":"${claims.id}"`);
    } finally {
      await world.stop();
    }
  });

  it('refuses altered, forged, expired and other-purpose links, saying why and echoing nothing', async () => {
    const world = await startWorld();
    try {
      const incidentId = await open(world);
      const url = (await alertLinks(incidentId, 2)).get('cto@example.com')!;
      const token = tokenOf(url);
      const base = `${world.board.url}/l/`;
      const make = (over: Partial<LinkClaims>, sign = world.signer.sign) =>
        signLinkToken(
          {
            v: 1,
            id: 'test-link',
            action: 'acknowledge',
            incidentId,
            recipient: 'cto@example.com',
            issuedAt: new Date(Date.now() - 3_600_000).toISOString(),
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            ...over,
          },
          sign,
        );
      const stranger = loadLinkSigner(
        { dataDir: `${world.config.dataDir}/stranger`, links: { publicKeys: [] } },
        {
          create: true,
        },
      );
      const cases: [string, string, number, RegExp][] = [
        ['altered', `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`, 403, /changed after it was sent/],
        ['forged', make({}, stranger.sign), 403, /not made by this system/],
        ['expired', make({ expiresAt: new Date(Date.now() - 1000).toISOString() }), 410, /expired/],
        ['cut short', token.slice(0, 30), 403, /incomplete or damaged/],
      ];
      for (const [what, bad, status, message] of cases) {
        const res = await fetch(base + bad);
        const text = await res.text();
        expect(res.status, what).toBe(status);
        expect(text, what).toMatch(message);
        expect(text, what).not.toContain(bad);
        expect((await post(base + bad, { confirm: 'x' })).status, what).toBe(status);
      }
      expect((await world.incidents.view(incidentId)).state.acknowledgement).toBeUndefined();
    } finally {
      await world.stop();
    }
  });

  it('with a roster that requires signed actions, the link is proof for acknowledging only, for the named recipients', async () => {
    const ian = generateSigningKey();
    const world = await startWorld({
      access: { roster: { ian: { roles: ['incident-commander'], publicKey: ian.publicKey } } },
    });
    try {
      const incidentId = await open(world);
      const url = (await alertLinks(incidentId, 2)).get('cto@example.com')!;
      const token = tokenOf(url);
      // The link cannot carry another action, nor act for someone else, nor for an address the policy does not name.
      await expect(
        world.incidents.act(incidentId, api.noteUpdate, {
          actor: 'cto@example.com',
          text: 'hi',
          link: { token },
        } as never),
      ).rejects.toThrow(/can only acknowledge/);
      await expect(
        world.incidents.act(incidentId, api.acknowledgeUpdate, { actor: 'ciso@example.com', link: { token } }),
      ).rejects.toThrow(/sent to someone else/);
      const outsider = signLinkToken(
        {
          v: 1,
          id: 'outsider',
          action: 'acknowledge',
          incidentId,
          recipient: 'mallory@evil.test',
          issuedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        world.signer.sign,
      );
      await expect(
        world.incidents.act(incidentId, api.acknowledgeUpdate, {
          actor: 'mallory@evil.test',
          link: { token: outsider },
        }),
      ).rejects.toThrow(ActionRefused);
      const done = await post(url, { confirm: await confirmValue(url) });
      expect(done.status).toBe(200);
      expect((await world.incidents.view(incidentId)).state.acknowledgement?.by).toBe('cto@example.com');
      const refusals = actions(await auditOf(world.config, incidentId), 'access.refused');
      expect(refusals.map((r) => r.details.reason)).toEqual(['bad-link', 'bad-link', 'bad-link']);
      expect(JSON.stringify(refusals)).not.toContain(token);
    } finally {
      await world.stop();
    }
  });
});
