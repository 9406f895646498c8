import { createHash } from 'node:crypto';
import { singleLine } from '../escape';
import { CATEGORIES, SEVERITIES, SYSTEM_NAME_PATTERN, type Category, type Severity } from '../incident';
import type { Adapter, AdapterOptions, NormalizedAlert } from './alert';

// The field readers that every adapter shares: each one either returns a value of the expected type or
// refuses with the JSON path of the field and what was expected there, so that a sender can fix the payload.

type Obj = Record<string, unknown>;

/** Thrown inside an adapter only; `adapter()` turns it into `{ ok: false, field, message }`. */
class BadField extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadField';
  }
}

/** Refuses the payload because of one field; `field` is its JSON path ('' for the body itself). */
export function refuse(field: string, message: string): never {
  throw new BadField(field || '$', message);
}

/** Wraps a parser that may refuse into an Adapter that never throws. */
export function adapter(parse: (body: unknown, options: AdapterOptions) => NormalizedAlert[]): Adapter {
  return (body, options) => {
    try {
      return { ok: true, alerts: parse(body, options) };
    } catch (err) {
      if (err instanceof BadField) return { ok: false, field: err.field, message: err.message };
      return {
        ok: false,
        field: '$',
        message: `The payload could not be read: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  };
}

/** The JSON path of `key` inside `base`: alerts[0].labels.instance, output_fields["container.id"]. */
export function at(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only, so that a key such as "constructor" never reads Object.prototype. */
export function get(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** What was received, for messages: short and never the whole value. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value === ''
      ? 'an empty string'
      : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a value of type ${typeof value}`;
}

export const absent = (value: unknown) => value === undefined || value === null;

export function readObject(value: unknown, path: string): Obj {
  if (!isObject(value)) refuse(path, `Expected an object, got ${describe(value)}.`);
  return value;
}

export function optObject(value: unknown, path: string): Obj | undefined {
  return absent(value) ? undefined : readObject(value, path);
}

export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) refuse(path, `Expected an array, got ${describe(value)}.`);
  return value;
}

export function optArray(value: unknown, path: string): unknown[] | undefined {
  return absent(value) ? undefined : readArray(value, path);
}

/** A required string with visible content. */
export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    refuse(path, `Expected a non-empty string, got ${describe(value)}.`);
  return value;
}

/** An optional string: absent (or null) gives undefined; any other non-string is refused. */
export function optString(value: unknown, path: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') refuse(path, `Expected a string, got ${describe(value)}.`);
  return value;
}

export function oneOf<T extends string | number>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T))
    refuse(path, `Expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}.`);
  return value as T;
}

// RFC 3339 / ISO 8601 extended form with a zone; the fraction may have any number of digits (Falco sends
// nanoseconds) and the offset may lack its colon (PagerDuty's own examples write +0000).
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const EXAMPLE_TIME = '2026-03-01T02:10:00Z';

function daysInMonth(year: number, month: number): number {
  return [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][month - 1];
}

/** An ISO 8601 time with a zone, normalised to UTC with milliseconds (extra fraction digits truncated). */
export function readTime(value: unknown, path: string): string {
  const bad = (why: string): never =>
    refuse(path, `Expected an ISO 8601 time with a zone such as ${EXAMPLE_TIME}${why}, got ${describe(value)}.`);
  if (typeof value !== 'string') return bad('');
  const m = ISO_TIME.exec(value.trim());
  if (!m) return bad('');
  const [, y, mo, d, h, mi, s = '00', fraction = '', z, sign, oh, om = '00'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Number(oh ?? 0) > 23 ||
    Number(om) > 59
  ) {
    return bad(' (that date or time does not exist)');
  }
  const zone = z ? 'Z' : `${sign}${oh}:${om}`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(3, '0').slice(0, 3)}${zone}`);
  if (Number.isNaN(t)) return bad('');
  return new Date(t).toISOString();
}

export function optTime(value: unknown, path: string): string | undefined {
  return absent(value) ? undefined : readTime(value, path);
}

export const MAX_TITLE = 500;
// Whole escape sequences (CSI colours and cursor moves, OSC titles and hyperlinks, two-byte escapes) go
// before stripControl removes any remaining control character, so that no "[31m" residue is left behind.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[@-Z\\-_]/g;

/** One line of visible text, without control characters, at most MAX_TITLE characters. */
export function cleanTitle(value: string): string {
  let title = singleLine(value.replace(ESCAPE_SEQUENCE, '')).replace(/\s+/g, ' ').trim();
  if (title.length > MAX_TITLE) {
    let cut = title.slice(0, MAX_TITLE - 1);
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    title = `${cut.trimEnd()}…`;
  }
  return title;
}

/** The first candidate with visible text, cleaned; a candidate of the wrong type is refused at its path. */
export function pickTitle(candidates: [unknown, string][], missingPath: string): string {
  for (const [value, path] of candidates) {
    if (absent(value)) continue;
    if (typeof value !== 'string') refuse(path, `Expected text, got ${describe(value)}.`);
    const title = cleanTitle(value);
    if (title !== '') return title;
  }
  return refuse(missingPath, 'Expected a non-empty title.');
}

/** The same pattern as the systems inventory and responders' actions; a test here, not a refusal. */
export function isSystemName(name: string): boolean {
  return SYSTEM_NAME_PATTERN.test(name);
}

/** Valid system names from the candidates, trimmed and deduplicated in order; the others are dropped. */
export function systemNames(candidates: (string | undefined)[]): string[] {
  const names: string[] = [];
  for (const candidate of candidates) {
    const name = candidate?.trim();
    if (name && isSystemName(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

/** A stable key from several fields; JSON keeps ["a b", "c"] and ["a", "b c"] apart. */
export function sha256(parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

const isSeverity = (value: unknown): value is Severity => SEVERITIES.includes(value as Severity);
const isCategory = (value: unknown): value is Category => CATEGORIES.includes(value as Category);

/**
 * The source's severity word through options.severityMap (as written, then lower-case), then through the
 * adapter's defaults (lower-case); undefined when neither knows it.
 */
export function mapSeverity(
  word: string,
  options: AdapterOptions,
  defaults: Record<string, Severity>,
): Severity | undefined {
  const map = options.severityMap ?? {};
  const lower = word.trim().toLowerCase();
  for (const key of [word, word.trim(), lower]) {
    if (Object.hasOwn(map, key) && isSeverity(map[key])) return map[key];
  }
  return Object.hasOwn(defaults, lower) ? defaults[lower] : undefined;
}

export function defaultSeverity(options: AdapterOptions): Severity {
  return isSeverity(options.defaultSeverity) ? options.defaultSeverity : 'SEV3';
}

/** The value when it is one of CATEGORIES, else the configured default, else intrusion. */
export function categoryOf(value: unknown, options: AdapterOptions): Category {
  if (isCategory(value)) return value;
  return isCategory(options.defaultCategory) ? options.defaultCategory : 'intrusion';
}
