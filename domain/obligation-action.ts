import type { Obligation } from './incident';

// The one thing a reminded leader does about an obligation: the CLI command that records it as met. Each
// kind is met by its own action (client/cli/commands/), so the mail names that command, ready to paste.
// Placeholders in <angle brackets> are what only the person knows (the authority's reference, what was said).

const LATE_REASON = '--late-reason "<the reasons for the delay>"';

export function recordCommand(incidentId: string, ob: Pick<Obligation, 'id' | 'kind'>, late: boolean): string {
  const lateTail = late ? ` ${LATE_REASON}` : '';
  switch (ob.kind) {
    case 'notify-regulator':
      return `incident file-regulator ${incidentId} --reference <the authority's filing reference>${lateTail}`;
    case 'notify-customers':
      return `incident approve-notice ${incidentId}`;
    case 'inform-law-enforcement':
      return `incident contact ${incidentId} --kind law-enforcement --org "<the service told>" --shared "<what was shared>"`;
    case 'send-rfo':
      return `incident send-rfo ${incidentId} ${ob.id.replace(/^send-rfo-/, '')}`;
    case 'legal-clock':
      return `incident submitted ${incidentId} ${ob.id} --reference <the filing or message reference>${lateTail}`;
  }
}
