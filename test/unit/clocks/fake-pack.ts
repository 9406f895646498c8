import type { ClockEvent, ClockObligation, RegimeContext, RegimeId, RegimePack } from '../../../domain/clocks/types';

// A stand-in regime for the engine's tests, so that they are about the engine, not about any regime's
// rules (those have their own tables).

const H = 3_600_000;

export const AWARE: ClockEvent = { name: 'awareness', at: '2026-03-02T10:00:00.000Z' };

/** A pack owing one report `hours` after the event it counts from, and recording the zone it was given. */
export function fakePack(id: RegimeId, anchor: ClockEvent['name'], hours: number, seen: string[] = []): RegimePack {
  const rule = { id: `${id}-report`, version: '1', citation: `Fake ${id} Art. 1`, appliesFrom: '2020-01-01' };
  return {
    id,
    title: `Fake ${id}`,
    defaultZone: 'Europe/Paris',
    events: [anchor],
    facts: [],
    rules: [rule],
    evaluate(ctx: RegimeContext) {
      seen.push(ctx.zone);
      const event = ctx.events.filter((e) => e.name === anchor).at(-1);
      if (!event) return { obligations: [], undecided: [{ regime: id, question: `answer ${anchor}` }] };
      const dueAt = new Date(Date.parse(event.at) + hours * H).toISOString();
      const ob: ClockObligation = {
        regime: id,
        obligation: rule.id,
        title: 'Report',
        recipient: 'Authority',
        dueAt,
        zone: ctx.zone,
        convention: 'hours',
        rule,
        anchor: { event: anchor, at: event.at },
        why: [],
        roles: ['legal'],
      };
      return { obligations: [ob], undecided: [] };
    },
  };
}
