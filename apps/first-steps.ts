// What `npm start` tells a newcomer to try first. One list, so that the test that runs it (test/cli/
// first-run.test.ts) runs exactly what the newcomer is told, on an installation with no inventory.

export const FIRST_INCIDENT_ARGS = [
  'open',
  '--title',
  'Web shell on web-01',
  '--severity',
  'SEV1',
  '--category',
  'intrusion',
  '--system',
  'web-01',
  '--detection',
  'EDR alert',
  '--aware',
  '2h ago',
] as const;

/** The arguments as a person types them, quoted where they hold a space. */
export function firstIncidentCommand(): string {
  return ['npx incident', ...FIRST_INCIDENT_ARGS.map((a) => (/\s/.test(a) ? `"${a}"` : a))].join(' ');
}
