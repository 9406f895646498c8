import { ProtoFormatError, ProtoReader, ProtoWriter, tagOf, WIRE } from './protobuf-wire';

const wireTypeOf = (tag: number) => tag & 7;

// The few Temporal API messages that are read or written without the SDK: a Payload (for the payload
// codec) and one page of ListWorkflowExecutions (for `incident list`). Field numbers are those of
// temporal/api/common/v1/message.proto and workflowservice/v1/request_response.proto; test/unit checks
// every one against @temporalio/proto's own encoding.

/** The shape of the SDK's Payload, so the codec takes and returns either. */
export interface WirePayload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

export function encodePayload(payload: WirePayload & { externalPayloads?: readonly unknown[] | null }): Buffer {
  // Only SDK-managed external storage sets this, and this project does not configure it: refuse rather
  // than drop it silently.
  if (payload.externalPayloads?.length)
    throw new Error('Payloads with external_payloads cannot be encrypted by this codec.');
  const w = new ProtoWriter();
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    w.message(1, new ProtoWriter().string(1, key).bytes(2, value));
  }
  if (payload.data) w.bytes(2, payload.data);
  return w.finish();
}

export function decodePayload(bytes: Uint8Array): WirePayload {
  const r = new ProtoReader(bytes);
  return readPayload(r, r.length);
}

const METADATA = tagOf(1, WIRE.delimited);
const DATA = tagOf(2, WIRE.delimited);
const EXTERNAL_PAYLOADS = tagOf(3, WIRE.delimited);
const MAP_KEY = tagOf(1, WIRE.delimited);
const MAP_VALUE = tagOf(2, WIRE.delimited);
const EMPTY = Buffer.alloc(0);

function readPayload(r: ProtoReader, end: number): WirePayload {
  const metadata: Record<string, Uint8Array> = {};
  let data: Uint8Array = EMPTY;
  for (let tag = r.tag(end); tag; tag = r.tag(end)) {
    if (tag === METADATA) {
      const entryEnd = r.enter();
      let key = '';
      let value: Uint8Array = EMPTY;
      for (let t = r.tag(entryEnd); t; t = r.tag(entryEnd)) {
        if (t === MAP_KEY) key = r.string();
        else if (t === MAP_VALUE) value = r.bytes();
        else r.skip(wireTypeOf(t));
      }
      metadata[key] = value;
    } else if (tag === DATA) data = r.bytes();
    else if (tag === EXTERNAL_PAYLOADS) throw new ProtoFormatError('external_payloads are not supported');
    else r.skip(wireTypeOf(tag));
  }
  return { metadata, data };
}

/** A payload's value read straight from the wire, for payloads no codec touches (search attributes). */
function readPayloadValue(r: ProtoReader, end: number): unknown {
  let encoding = '';
  let data = '';
  for (let tag = r.tag(end); tag; tag = r.tag(end)) {
    if (tag === METADATA) {
      const entryEnd = r.enter();
      let isEncoding = false;
      for (let t = r.tag(entryEnd); t; t = r.tag(entryEnd)) {
        if (t === MAP_KEY) isEncoding = r.string() === 'encoding';
        else if (t === MAP_VALUE && isEncoding) encoding = r.string();
        else r.skip(wireTypeOf(t));
      }
    } else if (tag === DATA) data = r.string();
    else r.skip(wireTypeOf(tag));
  }
  return valueOf(encoding, data);
}

/**
 * The entries of a map<string, Payload> (Memo and SearchAttributes, field 1 of both) whose key is
 * `wanted`, each read by `read`; the others are skipped undecoded.
 */
function readPayloadMap<T>(
  r: ProtoReader,
  end: number,
  wanted: ReadonlySet<string>,
  read: (r: ProtoReader, end: number) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (let tag = r.tag(end); tag; tag = r.tag(end)) {
    if (tag !== MAP_KEY) {
      r.skip(wireTypeOf(tag));
      continue;
    }
    const entryEnd = r.enter();
    let key = '';
    let valueAt = -1;
    for (let t = r.tag(entryEnd); t; t = r.tag(entryEnd)) {
      if (t === MAP_KEY) key = r.string();
      else if (t === MAP_VALUE) {
        valueAt = r.pos;
        r.skip(WIRE.delimited);
      } else r.skip(wireTypeOf(t));
    }
    if (valueAt >= 0 && wanted.has(key)) {
      r.pos = valueAt; // the key may follow the value: read it once both are known
      out[key] = read(r, r.enter());
      r.pos = entryEnd;
    }
  }
  return out;
}

/** Bytes as text, without copying them. */
export function utf8(bytes: Uint8Array | null | undefined): string {
  if (!bytes) return '';
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(
    'utf8',
  );
}

/** The value of a payload written by the default payload converter (JSON, or null). */
export function payloadValue(payload: WirePayload | undefined): unknown {
  return payload ? valueOf(utf8(payload.metadata?.encoding), utf8(payload.data)) : undefined;
}

function valueOf(encoding: string, data: string): unknown {
  if (encoding === 'binary/null') return undefined;
  if (encoding === 'json/plain') return JSON.parse(data);
  throw new Error(`Cannot read a payload with encoding "${encoding}".`);
}

export interface ListRequest {
  namespace: string;
  query: string;
  pageSize: number;
  nextPageToken?: Uint8Array;
}

export function encodeListRequest(request: ListRequest): Buffer {
  const w = new ProtoWriter().string(1, request.namespace).varint(2, request.pageSize);
  if (request.nextPageToken?.length) w.bytes(3, request.nextPageToken);
  return w.string(4, request.query).finish();
}

/** WorkflowExecutionStatus, by its enum number. */
export const EXECUTION_STATUS = [
  'UNSPECIFIED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
] as const;

export interface ListedExecution {
  workflowId: string;
  startTimeSeconds: number;
  status: number;
  /** The wanted memo fields, as stored (possibly encrypted: see the payload codec). */
  memo: Record<string, WirePayload>;
  /** The wanted search attributes' values: they are never encrypted. */
  searchAttributes: Record<string, unknown>;
}

/** What to read of each execution's memo and search attributes; the rest is skipped undecoded. */
export interface ListFields {
  memo: ReadonlySet<string>;
  searchAttributes: ReadonlySet<string>;
}

const EXECUTIONS = tagOf(1, WIRE.delimited);
const NEXT_PAGE_TOKEN = tagOf(2, WIRE.delimited);
const EXECUTION = tagOf(1, WIRE.delimited);
const START_TIME = tagOf(3, WIRE.delimited);
const STATUS = tagOf(5, WIRE.varint);
const MEMO = tagOf(10, WIRE.delimited);
const SEARCH_ATTRIBUTES = tagOf(11, WIRE.delimited);
const WORKFLOW_ID = tagOf(1, WIRE.delimited);
const SECONDS = tagOf(1, WIRE.varint);

/** The next page's token of a ListWorkflowExecutions reply, found without reading its executions. */
export function nextPageTokenOf(bytes: Uint8Array): Uint8Array | undefined {
  const r = new ProtoReader(bytes);
  let nextPageToken: Uint8Array | undefined;
  for (let tag = r.tag(r.length); tag; tag = r.tag(r.length)) {
    if (tag === NEXT_PAGE_TOKEN) nextPageToken = r.bytes();
    else r.skip(wireTypeOf(tag));
  }
  return nextPageToken?.length ? nextPageToken : undefined;
}

/**
 * Calls `visit` with each execution of a ListWorkflowExecutions reply, in order, as it is read (so that a
 * caller can finish with each before the next, and a thousand of them never pile up).
 */
export function forEachListedExecution(
  bytes: Uint8Array,
  fields: ListFields,
  visit: (execution: ListedExecution) => void,
): void {
  const r = new ProtoReader(bytes);
  for (let tag = r.tag(r.length); tag; tag = r.tag(r.length)) {
    if (tag === EXECUTIONS) visit(readExecutionInfo(r, r.enter(), fields));
    else r.skip(wireTypeOf(tag));
  }
}

function readExecutionInfo(r: ProtoReader, end: number, fields: ListFields): ListedExecution {
  const info: ListedExecution = { workflowId: '', startTimeSeconds: 0, status: 0, memo: {}, searchAttributes: {} };
  for (let tag = r.tag(end); tag; tag = r.tag(end)) {
    if (tag === EXECUTION) info.workflowId = readOne(r, r.enter(), WORKFLOW_ID, () => r.string(), '');
    else if (tag === START_TIME) info.startTimeSeconds = readOne(r, r.enter(), SECONDS, () => r.varint(), 0);
    else if (tag === STATUS) info.status = r.varint();
    else if (tag === MEMO) info.memo = readPayloadMap(r, r.enter(), fields.memo, readPayload);
    else if (tag === SEARCH_ATTRIBUTES)
      info.searchAttributes = readPayloadMap(r, r.enter(), fields.searchAttributes, readPayloadValue);
    else r.skip(wireTypeOf(tag));
  }
  return info;
}

/** The one field of a message that is wanted, e.g. WorkflowExecution.workflow_id or Timestamp.seconds. */
function readOne<T>(r: ProtoReader, end: number, wantedTag: number, read: () => T, fallback: T): T {
  let value = fallback;
  for (let tag = r.tag(end); tag; tag = r.tag(end)) {
    if (tag === wantedTag) value = read();
    else r.skip(wireTypeOf(tag));
  }
  return value;
}
