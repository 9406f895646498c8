// A compact identity for an alert seen by an incident: 16 hex characters, computed in pure JavaScript
// (workflow code cannot use node:crypto). 64-bit FNV-1a: 10,000 alerts collide with probability ~3e-12.

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function alertKey(source: string, dedupKey: string, status: string): string {
  const text = `${source}\u0000${dedupKey}\u0000${status}`;
  let hash = OFFSET;
  // Over UTF-16 code units, low byte then high byte: no TextEncoder needed in the workflow sandbox.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    for (const byte of [unit & 0xff, unit >> 8]) {
      hash ^= BigInt(byte);
      hash = (hash * PRIME) & MASK;
    }
  }
  return hash.toString(16).padStart(16, '0');
}
