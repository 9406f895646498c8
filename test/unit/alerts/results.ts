import { expect } from 'vitest';
import type { AdapterResult, NormalizedAlert } from '../../../domain/alerts/alert';

// What every adapter test reads out of a result: the alerts of an accepted body, or the refusal.

export function alertsOf(result: AdapterResult): NormalizedAlert[] {
  if (!result.ok) throw new Error(`expected ok, got ${result.field}: ${result.message}`);
  return result.alerts;
}

export function alertOf(result: AdapterResult): NormalizedAlert {
  const alerts = alertsOf(result);
  expect(alerts).toHaveLength(1);
  return alerts[0];
}

export function failureOf(result: AdapterResult): { field: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, got ok');
  return result;
}

export const fieldOf = (result: AdapterResult): string => failureOf(result).field;
