import { randomBytes } from 'node:crypto';

// Board sessions: a random id in a cookie, the person's address and roles in this process's memory. Kept
// in memory on purpose: nothing to steal from disk, and a restart signs everyone out (they open the link
// in their latest mail again).

export interface Session {
  recipient: string;
  roles: string[];
  lastSeen: number;
  /** The pages already written to their incident's trail in this session: the page's own refreshes are not new views. */
  recorded: Set<string>;
}

export const SESSION_COOKIE = 'board_session';

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(recipient: string, roles: string[]): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { recipient, roles, lastSeen: this.now(), recorded: new Set() });
    return id;
  }

  /** The live session for the id, its idle clock reset; undefined when unknown or idle too long. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, s] of this.sessions) if (s.lastSeen < cutoff) this.sessions.delete(id);
  }
}

/** Secure even on loopback http: browsers treat localhost and 127.0.0.1 as secure contexts and keep it. */
export function sessionCookie(id: string, idleMs: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.floor(idleMs / 1000)}`;
}

export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}
