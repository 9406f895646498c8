import { knownCalendar } from './conventions';
import { REGIME_IDS, type ClockOptions } from './types';
import { ClockInputError } from './input-error';
import { isTimeZone } from './zones';

export { isTimeZone };

// The organisation's clock settings, checked where the worker starts (and before a what-if runs): a
// setting that would make a deadline wrong, or impossible to compute, stops the start with a message
// naming the setting, rather than surfacing in the middle of an incident.

function positive(value: number | undefined, field: string, what: string): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0)
    throw new ClockInputError(field, `${field}: ${value} is not a deadline; give ${what} greater than zero.`);
}

export function checkClockOptions(options: ClockOptions): void {
  for (const [regime, zone] of Object.entries(options.zones ?? {})) {
    if (!(REGIME_IDS as readonly string[]).includes(regime))
      throw new ClockInputError(
        `zones.${regime}`,
        `zones.${regime}: "${regime}" is not a regime; name one of ${REGIME_IDS.join(', ')}.`,
      );
    if (typeof zone !== 'string' || !isTimeZone(zone))
      throw new ClockInputError(
        `zones.${regime}`,
        `zones.${regime}: "${zone}" is not an IANA time zone; use a name such as Europe/Paris or America/New_York.`,
      );
  }
  if (options.memberState !== undefined) {
    const state = options.memberState;
    if (!/^[A-Z]{2}$/.test(state) || !knownCalendar(state))
      throw new ClockInputError(
        'memberState',
        `memberState: no public-holiday calendar is known for "${state}"; give the ISO 3166 alpha-2 code of a country (FR, DE, IE…).`,
      );
  }
  positive(options.art34TargetHours, 'art34TargetHours', 'a number of hours');
  positive(options.contractPersonalDataHours, 'contractPersonalDataHours', 'a number of hours');
  positive(options.contractProjectDataHours, 'contractProjectDataHours', 'a number of hours');
  const ids = new Set<string>();
  for (const [i, c] of (options.customers ?? []).entries()) {
    const field = `customers.${c.id || i}`;
    if (!c.id?.trim()) throw new ClockInputError(field, `${field}: give the customer an id (it names contract:<id>).`);
    if (ids.has(c.id))
      throw new ClockInputError(field, `${field}: two customers have the id "${c.id}"; give each its own.`);
    ids.add(c.id);
    positive(c.personalDataHours, `${field}.personalDataHours`, 'the contract clock in hours');
    positive(c.projectDataHours, `${field}.projectDataHours`, 'the contract clock in hours');
    positive(c.baaDays, `${field}.baaDays`, 'the BAA limit in days');
    if (c.timeZone !== undefined && !isTimeZone(c.timeZone))
      throw new ClockInputError(
        `${field}.timeZone`,
        `${field}.timeZone: "${c.timeZone}" is not an IANA time zone; use a name such as Europe/Paris.`,
      );
  }
}
