import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_INCIDENT_ARGS } from '../../apps/first-steps';
import { expectNoStack, startCliWorld, type CliWorld } from './harness';

// The first thing a newcomer does: the command `npm start` prints, on an installation whose inventory
// is empty (the embedded default). web-01 is in no inventory, so a person is asked to isolate and copy
// it; nothing is reported as failed.

let world: CliWorld;

beforeAll(async () => {
  world = await startCliWorld('first-run', {}, []);
});

afterAll(async () => {
  await world?.stop();
});

async function settledView(id: string) {
  for (let i = 0; i < 150; i++) {
    const view = await world.view(id);
    const sys = view.state.systems[0];
    if (
      sys &&
      sys.isolation.state !== 'pending' &&
      sys.isolation.state !== 'running' &&
      sys.evidence.state !== 'pending' &&
      sys.evidence.state !== 'running'
    )
      return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the steps of ${id} never settled`);
}

describe('first run', () => {
  it('the command npm start suggests opens an incident whose unknown system waits for a person, and the manual steps complete it', async () => {
    const opened = await world.run([...FIRST_INCIDENT_ARGS, '--json']);
    expectNoStack(opened);
    expect(opened.code).toBe(0);
    const id = JSON.parse(opened.stdout).incidentId as string;
    const view = await settledView(id);
    const sys = view.state.systems[0];
    expect(sys.name).toBe('web-01');
    expect([sys.isolation.state, sys.evidence.state]).toEqual(['awaiting-manual', 'awaiting-manual']);

    const shown = await world.run(['show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toMatch(/failed/i);
    expect(shown.stdout).toMatch(/^web-01\s+awaiting-manual\s+awaiting-manual\s/m);
    expect(shown.stdout).toContain(
      `web-01 is not in this worker's systems inventory (configuration "systems"), so no driver acts on it. Isolate web-01 by hand, then record it: incident manual-step ${id} web-01 --step isolation --detail "…"`,
    );

    for (const [step, detail] of [
      ['isolation', 'switch port 12 shut'],
      ['evidence', 'dd image on USB disk E-7, sha256 recorded on the custody form'],
    ]) {
      const r = await world.run(['manual-step', id, 'web-01', '--step', step, '--detail', detail]);
      expectNoStack(r);
      expect(r.code).toBe(0);
    }
    const after = await world.view(id);
    expect([after.state.systems[0].isolation.state, after.state.systems[0].evidence.state]).toEqual([
      'manual',
      'manual',
    ]);
    expect(after.state.problems).toEqual([]);
  });
});
