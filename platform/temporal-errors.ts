// What "Temporal cannot be reached" looks like, kept free of the SDK so that a command that never talks
// to Temporal (help, audit, evidence export) does not pay for loading it.

export class TemporalUnreachableError extends Error {
  /** `hint`, when known (a TLS setting that does not match the server, see tls-diagnosis.ts), replaces the advice to start a server. */
  constructor(address: string, cause: unknown, hint?: string) {
    // The client SDK wraps the gRPC error that says what happened in "Failed to connect to Temporal server".
    const inner =
      (cause as Error)?.message === 'Failed to connect to Temporal server' && (cause as Error).cause
        ? (cause as Error).cause
        : cause;
    super(
      `Temporal is not reachable at ${address} (${((inner as Error)?.message?.split('\n')[0] ?? String(inner)).replace(/\.? ?Resolution note:.*$/, '')}). ` +
        (hint ?? 'Start the embedded server with `npm start`, or set TEMPORAL_ADDRESS to your cluster.'),
    );
    this.name = 'TemporalUnreachableError';
  }
}

/** gRPC UNAVAILABLE, a refused connection or a connect deadline: Temporal cannot be reached right now. */
export function isTemporalUnavailable(err: unknown): boolean {
  const e = err as { code?: number; message?: string; cause?: { code?: number } };
  return (
    e?.code === 14 ||
    e?.cause?.code === 14 ||
    /UNAVAILABLE|ECONNREFUSED|deadline|Failed to connect/i.test(e?.message ?? '')
  );
}
