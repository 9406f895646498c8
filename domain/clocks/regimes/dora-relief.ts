import { nextWorkingDayAt, type Calendar } from '../conventions';
import type { ClockOptions } from '../types';
import { utc } from './obligation-kit';

// Commission Delegated Regulation (EU) 2025/301 Art. 5(4)-(6): the one place in these packs where a time
// limit rolls over a weekend, because the Regulation's own text grants it, and only to some entities.
//  - Art. 5(4): a time limit that falls on a weekend day or a bank holiday in the Member State of the
//    reporting entity may be met by 12:00 noon on the next working day.
//  - Art. 5(5): not for the initial notification and intermediate reports of credit institutions, central
//    counterparties, operators of trading venues and financial entities identified as essential or important
//    entities under NIS2 Art. 3 (their final report keeps the relief).
//  - Art. 5(6): the competent authority may disapply the relief for an entity; then no report has it.

export type DoraReport = 'initial' | 'intermediate' | 'final';

/** The entity types of Art. 5(5), as configured in clocks.doraEntityType, and how `why` names them. */
const EXCLUDED_FROM_RELIEF: Record<string, string> = {
  'credit-institution': 'credit institution',
  'central-counterparty': 'central counterparty',
  'trading-venue': 'operator of a trading venue',
  'nis2-essential-or-important': 'essential or important entity under NIS2 Art. 3',
};

export interface ReliefOutcome {
  due: Date;
  /** Whether relief was applied or not, and why, for `why`. */
  reason: string;
}

function reliefRefused(report: DoraReport, options: ClockOptions): string | undefined {
  if (options.doraReliefDisapplied)
    return 'weekend relief not applied: disapplied by the competent authority (Art. 5(6))';
  if (report === 'final') return undefined;
  const type = options.doraEntityType;
  // Unconfigured, the entity might be one Art. 5(5) excludes: the limit without relief is the strictest,
  // and the pack asks for the type alongside.
  if (type === undefined)
    return 'weekend relief not applied: the DORA entity type is not configured (Art. 5(5) excludes some types)';
  const excluded = EXCLUDED_FROM_RELIEF[type];
  return excluded ? `weekend relief not applied: ${excluded} (Art. 5(5))` : undefined;
}

export function doraRelief(limit: Date, report: DoraReport, options: ClockOptions, zone: string): ReliefOutcome {
  const refused = reliefRefused(report, options);
  if (refused) return { due: limit, reason: refused };
  const calendar: Calendar = { country: options.memberState ?? 'FR', zone };
  const due = nextWorkingDayAt(limit, calendar, '12:00');
  if (due.getTime() === limit.getTime())
    return {
      due,
      reason: `weekend relief not needed: the time limit is a working day in ${calendar.country} (Art. 5(4))`,
    };
  return {
    due,
    reason:
      `weekend relief applied: the time limit ${utc(limit)} falls on a weekend day or bank holiday in ` +
      `${calendar.country}, so 12:00 on the next working day (Art. 5(4))`,
  };
}
