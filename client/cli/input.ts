import { parseTimeInput, TimeInputError } from '../../domain/time-input';
import { UsageError } from './problem';

// The forms a person types on the command line, read into what the workflow takes; a wrong form is a
// usage error that says what was expected.

/** Commander's accumulator for an option that may be repeated. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function parseTime(text: string, now: Date): string {
  try {
    return parseTimeInput(text, now).toISOString();
  } catch (err) {
    if (err instanceof TimeInputError) throw new UsageError(err.message);
    throw err;
  }
}

export function parseCustomer(text: string): { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--customer "${text}" is not "Name <email>" or an email address.`);
  return match.length === 3 ? { name: match[1] || match[2], email: match[2] } : { name: match[1], email: match[1] };
}

export function parseAction(text: string): { action: string; owner: string } {
  const i = text.lastIndexOf('::');
  if (i < 0) throw new UsageError(`--action "${text}" needs an owner: "what to do::who owns it".`);
  return { action: text.slice(0, i).trim(), owner: text.slice(i + 2).trim() };
}

export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number (got "${text}").`);
  return Number(text);
}
