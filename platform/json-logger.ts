// The services' log: one JSON object per line, with the time and the service's name.

export function jsonLogger(
  stream: NodeJS.WritableStream = process.stdout,
  service = 'ingest',
): (event: Record<string, unknown>) => void {
  return (event) => stream.write(`${JSON.stringify({ time: new Date().toISOString(), service, ...event })}\n`);
}
