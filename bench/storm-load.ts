import { TOKEN } from './storm-procs';

// Open-loop load: alerts leave at a fixed rate whether or not earlier ones were answered, as a detection
// storm arrives, so a slow target builds a backlog instead of slowing the sender down.

export interface Posted {
  /** Tag → performance.now() just before its POST left. */
  at: Map<string, number>;
  /** POSTs not answered 202, with the first such answer. */
  failures: number;
  firstFailure?: string;
  firstAt: number;
  lastAt: number;
}

export interface AlertSpec {
  tag: string;
  correlationKey: string;
  /** The host the alert names; an incident isolates and copies each host it hears of. */
  host: string;
}

const observedAt = () => new Date().toISOString();

export function alertBody({ tag, correlationKey, host }: AlertSpec): string {
  return JSON.stringify({
    id: tag,
    correlationKey,
    severity: 'SEV2',
    title: `Storm alert ${tag}`,
    systems: [host],
    observedAt: observedAt(),
  });
}

async function post(url: string, body: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    return res.status === 202 ? undefined : `${res.status} ${text.slice(0, 200)}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** `count` alerts at `perSecond`, the i-th leaving at start + i / perSecond; resolves when all are answered. */
export async function openLoop(
  url: string,
  perSecond: number,
  count: number,
  spec: (i: number) => AlertSpec,
): Promise<Posted> {
  const posted: Posted = { at: new Map(), failures: 0, firstAt: performance.now(), lastAt: 0 };
  const answers: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const alert = spec(i);
    const body = alertBody(alert);
    const at = performance.now();
    if (i === 0) posted.firstAt = at;
    posted.lastAt = at;
    posted.at.set(alert.tag, at);
    answers.push(
      post(url, body).then((failure) => {
        if (!failure) return;
        posted.failures++;
        posted.firstFailure ??= failure;
      }),
    );
  }
  await Promise.all(answers);
  return posted;
}
