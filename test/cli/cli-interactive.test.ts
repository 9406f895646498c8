import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startCliWorld, uniqueId, type CliWorld } from './harness';

// `incident open` on a terminal, typed by a person: the CLI runs in a tmux pane (a real pseudo-terminal),
// keys are sent as a person would type them, and the pane is read back as the person would see it.

const TMUX = '/usr/bin/tmux';

let world: CliWorld;

beforeAll(async () => {
  world = await startCliWorld('tty');
});

afterAll(async () => {
  await world?.stop();
});

/** One private tmux server (its own socket file, no user configuration), so nothing outside the test is touched. */
function tmuxServer() {
  const socket = path.join(os.tmpdir(), `incident-cli-tmux-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  const tmux = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const env = { ...world.env };
      delete env.TMUX;
      execFile(TMUX, ['-S', socket, '-f', '/dev/null', ...args], { env }, (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args.join(' ')} failed: ${err.message} ${stderr}`));
        else resolve(stdout);
      });
    });
  return {
    tmux,
    kill: async () => {
      await tmux('kill-server').catch(() => undefined);
      await rm(socket, { force: true });
    },
  };
}

describe('incident open on a terminal', () => {
  it('asks for what is missing, re-asks a wrong severity, and opens the incident', async () => {
    const id = uniqueId('INC-TTY');
    const session = `open-${randomBytes(3).toString('hex')}`;
    const { tmux, kill } = tmuxServer();
    const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-100', '-t', session);
    /** Waits until the pane shows `what` (compared without trailing blanks, as a terminal shows no difference) `times` times. */
    const waitFor = async (what: string | RegExp, times = 1, timeoutMs = 30_000): Promise<string> => {
      if (typeof what === 'string') what = what.trimEnd();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = (await screen())
          .split('\n')
          .map((l) => l.trimEnd())
          .join('\n');
        const count =
          typeof what === 'string'
            ? text.split(what).length - 1
            : (text.match(new RegExp(what.source, what.flags.includes('g') ? what.flags : `${what.flags}g`)) ?? [])
                .length;
        if (count >= times) return text;
        if (Date.now() > deadline)
          throw new Error(`Timed out waiting for ${String(what)} (x${times}) on the terminal; it shows:\n${text}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const type = async (text: string) => {
      if (text) await tmux('send-keys', '-t', session, '-l', text);
      await tmux('send-keys', '-t', session, 'Enter');
    };

    const sessionStart = Date.now();
    try {
      const e = world.env;
      await tmux(
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '200',
        '-y',
        '50',
        // The shell only reports the exit status once the command ends: tmux's own #{pane_dead_status} is
        // sometimes empty when a process exits as its terminal closes.
        'sh',
        '-c',
        '"$@"; echo "[incident exited with status $?]"',
        'sh',
        'env',
        `TEMPORAL_ADDRESS=${e.TEMPORAL_ADDRESS}`,
        `INCIDENT_TASK_QUEUE=${e.INCIDENT_TASK_QUEUE}`,
        `INCIDENT_CONFIG=${e.INCIDENT_CONFIG}`,
        'INCIDENT_ACTOR=alice',
        'NO_COLOR=1',
        process.execPath,
        BIN,
        'open',
        '--id',
        id,
      );
      await tmux('set-option', '-t', session, 'remain-on-exit', 'on');

      await waitFor('Title: ');
      await type(''); // a title is required
      await waitFor('  This is required.');
      await waitFor('Title: ', 2);
      await type('Ransom note on the file server');

      await waitFor('Severity (SEV1/SEV2/SEV3/SEV4): ');
      await type('SEV9');
      await waitFor('  Choose one of: SEV1, SEV2, SEV3, SEV4');
      await waitFor('Severity (SEV1/SEV2/SEV3/SEV4): ', 2);
      await type('SEV2');

      await waitFor('Category (intrusion/malware/data-breach/denial-of-service/insider/other): ');
      await type('malware');
      await waitFor('Affected systems (comma-separated, empty for none yet): ');
      await type('web-01');
      await waitFor('How was it detected: ');
      await type('A user reported a ransom note');
      await waitFor('Aware since (ISO 8601 or "2h ago") [now]: ');
      const enteredAt = Date.now();
      await type('');

      await waitFor(`Opened ${id}: Ransom note on the file server (SEV2, malware)`);
      // The command ends on its own, with exit status 0.
      await waitFor(/^\[incident exited with status \d+\]$/m);
      expect(await screen()).toContain('[incident exited with status 0]');
      const final = (await screen())
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n');

      const shown = final.split('\n').map((l) => l.trimEnd());
      // What the person saw, in order: each question with the answer they typed, then the result.
      const expectedOrder = [
        'Title: ',
        '  This is required.',
        'Title: Ransom note on the file server',
        'Severity (SEV1/SEV2/SEV3/SEV4): SEV9',
        '  Choose one of: SEV1, SEV2, SEV3, SEV4',
        'Severity (SEV1/SEV2/SEV3/SEV4): SEV2',
        'Category (intrusion/malware/data-breach/denial-of-service/insider/other): malware',
        'Affected systems (comma-separated, empty for none yet): web-01',
        'How was it detected: A user reported a ransom note',
        'Aware since (ISO 8601 or "2h ago") [now]:',
        `Opened ${id}: Ransom note on the file server (SEV2, malware)`,
        `Senior personnel are being told now; escalation every 15 min until someone runs: incident ack ${id}`,
      ];
      let at = -1;
      for (const line of expectedOrder) {
        const found = shown.findIndex((l, i) => i > at && l.trimEnd() === line.trimEnd());
        expect(found, `"${line}" after line ${at} of:\n${final}`).toBeGreaterThan(at);
        at = found;
      }
      expect(final).toMatch(
        /^ {2}customers, personal data {3}due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC[+-]\d{2}:\d{2} \(Europe\/Paris\)$/m,
      );
      expect(final).not.toMatch(/^\s{4}at /m);

      const view = await world.view(id);
      expect(view.state).toMatchObject({
        incidentId: id,
        title: 'Ransom note on the file server',
        severity: 'SEV2',
        category: 'malware',
        detection: 'A user reported a ransom note',
        openedBy: 'alice',
      });
      expect(view.state.systems.map((s: { name: string }) => s.name)).toEqual(['web-01']);
      // The system typed at the prompt is contained like any other (and nothing is left running at teardown).
      const deadline = Date.now() + 60_000;
      let phase = view.phase;
      while (phase === 'containment' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        phase = (await world.view(id)).phase;
      }
      expect(phase).toBe('assessment');
      // "now": no earlier than the command started, no later than the Enter that accepted the default.
      const awareAt = new Date(view.state.awareAt).getTime();
      expect(awareAt).toBeGreaterThanOrEqual(sessionStart - 1000);
      expect(awareAt).toBeLessThanOrEqual(enteredAt + 1000);
    } finally {
      await kill();
    }
  });
});
