import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type Long from 'long';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../platform/encryption/codec';
import { ProtoFormatError } from '../../platform/protobuf-wire';
import {
  decodePayload,
  encodeListRequest,
  encodePayload,
  forEachListedExecution,
  nextPageTokenOf,
  payloadValue,
  type ListedExecution,
} from '../../platform/temporal-wire';

// The hand-written wire format of temporal-wire.ts against @temporalio/proto's own encoding, field by field.

const Payload = temporal.api.common.v1.Payload;
type IPayload = temporal.api.common.v1.IPayload;
/** protobufjs types int64 as Long; it encodes a number as well. */
const int64 = (n: number) => n as unknown as Long;
const json = (value: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const bytesOf = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('hex');

describe('payloads', () => {
  const samples: (IPayload & { metadata: Record<string, Uint8Array> })[] = [
    json('Web shell on web-01 — é 日本'),
    { metadata: { encoding: Buffer.from('binary/null') } },
    {
      metadata: { encoding: Buffer.from('json/plain'), 'encryption-key-id': Buffer.from('k1'), empty: Buffer.alloc(0) },
      data: randomBytes(70_000),
    },
  ];

  it('encodes as @temporalio/proto decodes, and decodes what it encodes', () => {
    for (const sample of samples) {
      const theirs = Payload.decode(encodePayload(sample));
      expect(Object.fromEntries(Object.entries(theirs.metadata).map(([k, v]) => [k, bytesOf(v)]))).toEqual(
        Object.fromEntries(Object.entries(sample.metadata).map(([k, v]) => [k, bytesOf(v)])),
      );
      expect(bytesOf(theirs.data)).toBe(bytesOf(sample.data));
      const ours = decodePayload(Payload.encode(sample).finish());
      expect(Object.keys(ours.metadata ?? {}).sort()).toEqual(Object.keys(sample.metadata).sort());
      expect(bytesOf(ours.data)).toBe(bytesOf(sample.data));
    }
  });

  it('reads the default converter values, and names an encoding it cannot read', () => {
    expect(payloadValue(json({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    expect(payloadValue({ metadata: { encoding: Buffer.from('binary/null') } })).toBeUndefined();
    expect(payloadValue(undefined)).toBeUndefined();
    expect(() =>
      payloadValue({ metadata: { encoding: Buffer.from('binary/protobuf') }, data: Buffer.from('x') }),
    ).toThrow('Cannot read a payload with encoding "binary/protobuf".');
  });

  it('refuses external payloads rather than dropping them', () => {
    expect(() => encodePayload({ ...json(1), externalPayloads: [{ sizeBytes: int64(10) }] })).toThrow(
      /external_payloads/,
    );
    const withExternal = Payload.encode({ ...json(1), externalPayloads: [{ sizeBytes: int64(10) }] }).finish();
    expect(() => decodePayload(withExternal)).toThrow(ProtoFormatError);
  });

  it('opens what the codec sealed with @temporalio/proto before this encoding replaced it', async () => {
    const ring = { activeKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
    const codec = new AesGcmCodec(ring);
    const [sealed] = await codec.encode([json('title')]);
    expect(payloadValue((await codec.decode([sealed]))[0])).toBe('title');
    // A payload sealed the earlier way: the inner payload encoded by protobufjs.
    const { createCipheriv } = await import('node:crypto');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', ring.keys.get('k1')!, iv);
    const inner = Payload.encode(json({ awareAt: '2026-11-22T10:00:00.000Z' })).finish();
    const data = Buffer.concat([iv, cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
    const earlier = { metadata: sealed.metadata, data };
    expect(payloadValue(codec.open([earlier])[0])).toEqual({ awareAt: '2026-11-22T10:00:00.000Z' });
  });
});

describe('ListWorkflowExecutions', () => {
  it('encodes the request as @temporalio/proto reads it', () => {
    const token = randomBytes(300);
    const decoded = temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.decode(
      encodeListRequest({
        namespace: 'tenant-a',
        query: "WorkflowType = 'x' AND é = 'y'",
        pageSize: 1000,
        nextPageToken: token,
      }),
    );
    expect({
      namespace: decoded.namespace,
      query: decoded.query,
      pageSize: decoded.pageSize,
      token: bytesOf(decoded.nextPageToken),
    }).toEqual({
      namespace: 'tenant-a',
      query: "WorkflowType = 'x' AND é = 'y'",
      pageSize: 1000,
      token: bytesOf(token),
    });
    expect(
      temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.decode(
        encodeListRequest({ namespace: 'n', query: 'q', pageSize: 5 }),
      ).nextPageToken,
    ).toHaveLength(0);
  });

  const fields = { memo: new Set(['title']), searchAttributes: new Set(['IncidentSeverity', 'IncidentNextDeadline']) };
  const execution = (i: number): temporal.api.workflow.v1.IWorkflowExecutionInfo => ({
    execution: { workflowId: `INC-${i}`, runId: `run-${i}` },
    type: { name: 'incidentWorkflow' },
    startTime: { seconds: int64(1_790_000_000 + i), nanos: 123 },
    closeTime: i % 2 ? { seconds: int64(1_790_000_500) } : undefined,
    status:
      i % 2
        ? temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
        : temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    historyLength: int64(1_000_000 + i),
    memo: { fields: { title: json(`Incident ${i}`), category: json('intrusion') } },
    searchAttributes: {
      indexedFields: {
        IncidentSeverity: json('SEV1'),
        IncidentPhase: json('containment'),
        ...(i % 3 ? {} : { IncidentNextDeadline: json('2026-11-23T10:00:00Z') }),
      },
    },
    taskQueue: 'incident-response',
    historySizeBytes: int64(12345),
  });

  it('reads each execution and the next page token as @temporalio/proto wrote them, and only the wanted fields', () => {
    const token = randomBytes(125);
    const reply = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode({
      executions: [0, 1, 2, 3].map(execution),
      nextPageToken: token,
    }).finish();
    const seen: ListedExecution[] = [];
    forEachListedExecution(reply, fields, (e) => seen.push(e));
    expect(bytesOf(nextPageTokenOf(reply))).toBe(bytesOf(token));
    expect(
      seen.map((e) => ({
        id: e.workflowId,
        start: e.startTimeSeconds,
        status: e.status,
        memo: Object.fromEntries(Object.entries(e.memo).map(([k, v]) => [k, payloadValue(v)])),
        sa: e.searchAttributes,
      })),
    ).toEqual([
      {
        id: 'INC-0',
        start: 1_790_000_000,
        status: 1,
        memo: { title: 'Incident 0' },
        sa: { IncidentSeverity: 'SEV1', IncidentNextDeadline: '2026-11-23T10:00:00Z' },
      },
      { id: 'INC-1', start: 1_790_000_001, status: 2, memo: { title: 'Incident 1' }, sa: { IncidentSeverity: 'SEV1' } },
      { id: 'INC-2', start: 1_790_000_002, status: 1, memo: { title: 'Incident 2' }, sa: { IncidentSeverity: 'SEV1' } },
      {
        id: 'INC-3',
        start: 1_790_000_003,
        status: 2,
        memo: { title: 'Incident 3' },
        sa: { IncidentSeverity: 'SEV1', IncidentNextDeadline: '2026-11-23T10:00:00Z' },
      },
    ]);
    const last = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode({
      executions: [execution(0)],
    }).finish();
    expect(nextPageTokenOf(last)).toBeUndefined();
    expect(nextPageTokenOf(new Uint8Array(0))).toBeUndefined();
  });

  it('reads a map entry whose value comes before its key, as protobuf allows', () => {
    // Memo { fields: [ { value = 2: Payload, key = 1: "title" } ] } inside WorkflowExecutionInfo.memo (10) inside executions (1).
    const value = Payload.encode(json('reversed')).finish();
    const entry = Buffer.concat([
      Buffer.from([0x12, value.length]),
      value,
      Buffer.from([0x0a, 5]),
      Buffer.from('title'),
    ]);
    const memo = Buffer.concat([Buffer.from([0x0a, entry.length]), entry]);
    const info = Buffer.concat([Buffer.from([0x52, memo.length]), memo]);
    const reply = Buffer.concat([Buffer.from([0x0a, info.length]), info]);
    const seen: ListedExecution[] = [];
    forEachListedExecution(reply, fields, (e) => seen.push(e));
    expect(payloadValue(seen[0].memo.title)).toBe('reversed');
  });

  it('says a truncated reply is malformed instead of reading past it', () => {
    const reply = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse.encode({
      executions: [execution(0)],
    }).finish();
    for (const cut of [1, 10, reply.length - 1]) {
      expect(() => forEachListedExecution(reply.subarray(0, cut), fields, () => undefined), `cut at ${cut}`).toThrow(
        ProtoFormatError,
      );
    }
  });
});
