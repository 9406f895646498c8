import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatInZone } from '../../domain/time-format';
import * as api from '../../workflows/incident-api';
import { alertLinks, startBoardWorld, type BoardWorld } from '../helpers/board-world';
import { launchChromium } from '../helpers/chromium';
import { uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { actions, auditOf } from '../helpers/time-skipping';

// A CTO in New York, on the board in a real browser (Debian's Chromium): follows the Acknowledge link of
// the senior alert, confirms with the keyboard, lands signed in, and reads an incident aware 70 hours ago
// whose customer deadline has passed and whose CNIL deadline is two hours away. A browser without the
// session sees nothing of it. INCIDENT_SCREENSHOT_DIR=docs keeps the README's screenshots.

const HOUR = 3_600_000;
const VIEWER_ZONE = 'America/New_York';

let connection: Connection;
let native: NativeConnection;
let smtp: TestSmtp;
let world: BoardWorld;
let browser: Browser;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  native = await NativeConnection.connect({ address: inject('devServerAddress') });
  smtp = await startTestSmtp();
  world = await startBoardWorld({ client: connection, native, smtp }, { policy: { timeZone: 'Europe/Paris' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
  await smtp?.close();
  await native?.close();
  await connection?.close();
});

async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  const dir = process.env.INCIDENT_SCREENSHOT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
}

async function openBreach(): Promise<{ incidentId: string; awareAt: Date }> {
  const incidentId = uniqueId('WEB');
  const awareAt = new Date(Date.now() - 70 * HOUR);
  await world.incidents.open({
    incidentId,
    title: 'Customer database exfiltrated from db-02',
    severity: 'SEV1',
    category: 'data-breach',
    systems: [],
    detection: 'DLP alert on outbound transfer',
    awareAt: awareAt.toISOString(),
    openedBy: 'alice',
  });
  await world.incidents.viewWithPolicy(incidentId);
  await world.incidents.act(incidentId, api.assessUpdate, {
    actor: 'dpo@example.com',
    dataImpact: 'personal',
    customers: [{ name: 'ACME', email: 'security@acme.example' }],
    dataCategories: ['email addresses'],
    approxPeople: 1200,
  });
  return { incidentId, awareAt };
}

/** axe-core's WCAG 2 A/AA checks on the page as it is now: the violations, by rule and element. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol, which the page's CSP does not govern.
  await page.evaluate(await readFile(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(o: object): Promise<AxeResult> } }).axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    }),
  );
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

interface AxeResult {
  violations: { id: string; nodes: { target: string[] }[] }[];
}

/** Presses Tab until the element has the focus, as a keyboard user does (at most 15 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${selector} cannot be reached with the keyboard`);
}

describe('the board in a real browser', () => {
  it('acknowledges from the mail link, signs in, shows the overdue deadline first, and updates without reload', async () => {
    const { incidentId, awareAt } = await openBreach();
    const ackUrl = (await alertLinks(smtp, incidentId, 2)).get('cto@example.com')!;
    const context = await browser.newContext({ timezoneId: VIEWER_ZONE, locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('response', (r) => (r.status() >= 400 ? problems.push(`${r.status()} ${r.url()}`) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      // The senior alert as a mail client shows it; its Acknowledge link is followed from there.
      const alert = smtp.messages.find(
        (m) => m.to[0] === 'cto@example.com' && m.subject.includes(`Security incident ${incidentId}:`),
      )!;
      await page.setContent(String((await simpleParser(alert.raw)).html));
      await screenshot(page, 'senior-alert');
      // The link's page says what will happen and does nothing until confirmed.
      await Promise.all([page.waitForURL(ackUrl), page.getByRole('link', { name: 'Acknowledge' }).click()]);
      await expect
        .poll(() => page.locator('main').innerText())
        .toContain(`acknowledge incident ${incidentId} as cto@example.com`);
      expect((await world.incidents.view(incidentId)).state.acknowledgement).toBeUndefined();
      await screenshot(page, 'board-confirm');
      expect(await accessibilityViolations(page)).toEqual([]);
      await tabTo(page, 'main button');
      await Promise.all([page.waitForURL(ackUrl), page.keyboard.press('Enter')]);
      await expect.poll(() => page.locator('h1').innerText()).toBe(`Incident ${incidentId} acknowledged`);
      expect((await world.incidents.view(incidentId)).state.acknowledgement?.by).toBe('cto@example.com');
      const acked = actions(await auditOf(world.config, incidentId), 'incident.acknowledged');
      expect(acked.map((e) => [e.actor, e.details.via])).toEqual([['cto@example.com', 'mail link']]);

      // Signed in by the confirmation: the overview lists the incident, the passed deadline first.
      await page.goto(`${world.board.url}/`);
      const section = page.locator('section', { hasText: incidentId });
      await expect.poll(() => section.count()).toBe(1);
      expect(await section.innerText()).toContain('Acknowledged by cto@example.com.');
      const rows = section.locator('tbody tr');
      const customerDue = new Date(awareAt.getTime() + 24 * HOUR);
      const cnilDue = new Date(awareAt.getTime() + 72 * HOUR);
      const first = await rows.nth(0).innerText();
      expect(first).toContain('OVERDUE');
      expect(first).toMatch(/overdue by 1 d 2[12] h/);
      expect(first).toContain(customerDue.toISOString().slice(0, 16));
      // Overdue in red with text, not only colour.
      expect(await rows.nth(0).evaluate((tr) => getComputedStyle(tr).color)).toBe('rgb(176, 0, 32)');
      const cnil = rows.filter({ hasText: 'CNIL' });
      expect(await cnil.innerText()).toContain('due within 4 h');
      expect(await cnil.innerText()).toMatch(/1 h 5\d min left|2 h 00 min left/);
      // The policy's zone and UTC from the server, the browser's own zone added by board.js.
      expect(await cnil.innerText()).toContain(formatInZone(cnilDue.toISOString(), 'Europe/Paris'));
      const local = new Intl.DateTimeFormat('en-CA', {
        timeZone: VIEWER_ZONE,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(cnilDue)
        .replace(',', '');
      await expect.poll(() => cnil.innerText()).toContain(`${local} your time (${VIEWER_ZONE})`);
      // Its next reminder is the policy's 1 h one, to the deadline recipients.
      expect(await cnil.innerText()).toContain(new Date(cnilDue.getTime() - HOUR).toISOString().slice(0, 16));
      await screenshot(page, 'board-overview');
      expect(await accessibilityViolations(page)).toEqual([]);

      // The incident page, then a contact recorded from the CLI's side appears without a reload.
      await page.clock.install();
      await page.goto(`${world.board.url}/incidents/${incidentId}`);
      expect(await page.locator('main').innerText()).toContain('None recorded.');
      await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
      const timeline = await page.locator('table', { hasText: 'From the audit trail' }).innerText();
      expect(timeline).toMatch(/cto@example\.com\s+incident\.acknowledged/);
      await world.incidents.act(incidentId, api.contactUpdate, {
        actor: 'alice',
        kind: 'regulator',
        organisation: 'CNIL',
        shared: 'Initial notification under GDPR Art. 33',
      });
      await page.clock.fastForward(31_000);
      await expect.poll(() => page.locator('main').innerText(), { timeout: 10_000 }).toContain('regulator: CNIL');
      expect(await page.evaluate(() => 'loadedOnce' in window), 'the same page, not reloaded').toBe(true);
      // The countdown board.js ticks reads as the server writes it.
      const ticked = page.locator('tr.overdue td[data-due]');
      expect(await ticked.innerText()).toMatch(/^overdue by 1 d 2[12] h$/);
      await screenshot(page, 'board-incident', false);
      expect(await accessibilityViolations(page)).toEqual([]);

      // Every view is on the incident's trail, once per page and session.
      await expect
        .poll(async () => actions(await auditOf(world.config, incidentId), 'board.viewed').map((e) => e.details.page))
        .toEqual(['/', `/incidents/${incidentId}`]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows nothing of any incident to a browser without a session', async () => {
    const { incidentId } = await openBreach();
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      for (const url of [`${world.board.url}/`, `${world.board.url}/incidents/${incidentId}`]) {
        const res = await page.goto(url);
        expect(res?.status(), url).toBe(401);
        const text = await page.locator('body').innerText();
        expect(text).toContain('You are not signed in');
        expect(text).not.toContain(incidentId);
        expect(text).not.toContain('db-02');
      }
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
