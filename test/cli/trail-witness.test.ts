import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { expectOk, pollUntil, startCliWorld, uniqueId, type CliWorld } from './harness';

// Witnesses people hold: a leadership mail, a rendered report and the close each end with the trail head
// Temporal recorded, and whoever kept one can later check the trail against it with the CLI.

let smtp: TestSmtp;
let world: CliWorld;
const cli = (...args: string[]) => world.run(args);

beforeAll(async () => {
  smtp = await startTestSmtp();
  // Escalation every 3 s, so that a leadership mail goes out after the first appends have completed.
  world = await startCliWorld('witness', { smtp: { url: smtp.url }, policy: { ackWindowMinutes: 0.05 } });
});

afterAll(async () => {
  await world?.stop();
  await smtp?.close();
});

interface Entry {
  seq: number;
  action: string;
  hash: string;
  details: Record<string, unknown>;
}

async function trail(id: string): Promise<Entry[]> {
  return JSON.parse(expectOk(await cli('audit', id, '--json')).stdout) as Entry[];
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

/** The witness line exactly as a reader sees it, for a head at `seq` with the first 16 hex digits `short`. */
const witnessLine = (id: string, seq: number, short: string) =>
  `Audit trail: audit seq ${seq}, head ${short}… — check with: incident audit ${id} --verify --head ${seq}:${short}`;

/** Reads the head off a witness line, checking the whole line is as written for that head. */
function headIn(id: string, line: string): { seq: number; short: string } {
  const m = /^Audit trail: audit seq (\d+), head ([0-9a-f]{16})… — /.exec(line);
  expect(m, `not a witness line: ${line}`).not.toBeNull();
  const head = { seq: Number(m![1]), short: m![2] };
  expect(line).toBe(witnessLine(id, head.seq, head.short));
  return head;
}

function openArgs(id: string): string[] {
  return [
    'open',
    '--id',
    id,
    '--title',
    `Witness test ${id}`,
    '--severity',
    'SEV1',
    '--category',
    'other',
    '--detection',
    'EDR alert',
  ];
}

describe('witnesses people hold', () => {
  it('a leadership mail ends with the head Temporal recorded, and that head verifies with incident audit --head', async () => {
    const id = uniqueId('INC-WIT');
    expectOk(await cli(...openArgs(id)));
    const escalation = await pollUntil(
      'the first escalation mail',
      async () => smtp.messages.find((m) => m.subject.includes(`ESCALATION 1: incident ${id} not acknowledged`)),
      (m) => m !== undefined,
    );
    expectOk(await cli('ack', id));
    const mail = await simpleParser(escalation!.raw);
    const footer = lastLine(String(mail.text));
    const head = headIn(id, footer);
    expect(String(mail.html)).toContain(`<p>${footer}</p>`);

    // The head is one the trail really had: the entry at that seq has that hash.
    const entries = await trail(id);
    expect(entries[head.seq - 1].hash.slice(0, 16)).toBe(head.short);

    // The senior alert went out at opening, perhaps before the first append completed: it says which.
    const alert = await simpleParser(smtp.messages.find((m) => m.subject.includes(`Security incident ${id}:`))!.raw);
    const alertFooter = lastLine(String(alert.text));
    if (!alertFooter.includes('no head recorded yet')) headIn(id, alertFooter);
    else expect(alertFooter).toBe(`Audit trail: no head recorded yet — check with: incident audit ${id} --verify`);

    // What the reader of the mail runs, as the mail says.
    const command = /— check with: incident (.+)$/.exec(footer)![1].split(' ');
    const verified = expectOk(await cli(...command));
    expect(verified.stdout).toMatch(
      new RegExp(
        `^ {2}✓ witness +entry ${head.seq} matches the head you gave \\(\\d+ later entr(y|ies) written since\\)$`,
        'm',
      ),
    );
    expect(verified.stdout).toContain(`The audit trail of ${id} verifies.`);

    // The same check refuses a head the trail never had.
    const forged = `${head.seq}:${(head.short[0] === '0' ? '1' : '0') + head.short.slice(1)}`;
    const refused = await cli('audit', id, '--verify', '--head', forged);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `The audit trail of ${id} does NOT verify: witness: entry ${head.seq} does not match the head you gave (${forged.split(':')[1]}…): the trail was rewritten.`,
    );
  });

  it('reports end with the head, the closing entry names the head before it, and the close prints the final head', async () => {
    const id = uniqueId('INC-WIT');
    expectOk(await cli(...openArgs(id)));
    expectOk(await cli('ack', id));
    expectOk(await cli('note', id, 'Outbound traffic blocked at the edge'));

    // A report rendered live carries the head Temporal holds now.
    const live = expectOk(await cli('report', id, '--kind', 'rfo')).stdout;
    const liveHead = headIn(id, lastLine(live));
    expect((await trail(id))[liveHead.seq - 1].hash.slice(0, 16)).toBe(liveHead.short);

    const closed = expectOk(await cli('close', id)).stdout;
    const entries = await trail(id);
    const [before, closing] = entries.slice(-2);
    expect(closing.action).toBe('incident.closed');
    expect(closing.details.trailHeadBefore).toEqual({ seq: before.seq, hash: before.hash });
    const short = closing.hash.slice(0, 16);
    expect(closed).toBe(
      `Incident ${id} closed; reports rendered. Final audit head: audit seq ${closing.seq}, head ${short}… — check with: incident audit ${id} --verify --head ${closing.seq}:${short}\n`,
    );
    const final = expectOk(await cli('audit', id, '--verify', '--head', `${closing.seq}:${short}`)).stdout;
    expect(final).toMatch(new RegExp(`^ {2}✓ witness +entry ${closing.seq} matches the head you gave$`, 'm'));

    // The reports rendered at closing, as stored under the data dir, end with the head they were rendered against.
    const dir = path.join(world.dataDir, 'reports', id);
    for (const kind of ['rfo', 'rca']) {
      const md = await readFile(path.join(dir, `${kind}.md`), 'utf8');
      const head = headIn(id, lastLine(md));
      expect(head.seq).toBeLessThan(closing.seq);
      expect(entries[head.seq - 1].hash.slice(0, 16)).toBe(head.short);
      const html = await readFile(path.join(dir, `${kind}.html`), 'utf8');
      expect(html.endsWith(`<hr>\n<p>${witnessLine(id, head.seq, head.short)}</p>\n</body></html>\n`)).toBe(true);
      expectOk(await cli('audit', id, '--verify', '--head', `${head.seq}:${head.short}`));
    }
  });
});
