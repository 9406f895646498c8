import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import { REPORT_KINDS } from '../../domain/reports';

// The reports the worker rendered for an incident, decrypted for the viewer as `incident report --stored`
// does. A report name is a known kind and format, nothing else: a path never reaches the file system.
// Served as plain text, so a report's content can never run in the page.

const FORMATS = ['md', 'html', 'txt', 'json'] as const;
const NAME = new RegExp(`^(${REPORT_KINDS.join('|')})\\.(${FORMATS.join('|')})$`);

export function reportName(name: string): { kind: string; format: string } | undefined {
  const m = NAME.exec(name);
  return m ? { kind: m[1], format: m[2] } : undefined;
}

/** The rendered reports' names for an incident (sealed ones under their plain name). */
export async function reportNames(
  names: (incidentId: string) => Promise<string[]>,
  incidentId: string,
): Promise<string[]> {
  if (!INCIDENT_ID_PATTERN.test(incidentId)) return [];
  const files = await names(incidentId).catch(() => [] as string[]);
  return files.filter((f) => reportName(f)).sort();
}

export function registerReportRoutes(
  app: FastifyInstance,
  read: (incidentId: string, kind: string, format: string) => Promise<string>,
  signedIn: (req: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.get(
    '/incidents/:id/reports/:name',
    async (req: FastifyRequest<{ Params: { id: string; name: string } }>, reply) => {
      if (!signedIn(req, reply)) return reply;
      const { id, name } = req.params;
      const parsed = reportName(name);
      if (!parsed || !INCIDENT_ID_PATTERN.test(id))
        return reply.code(400).type('text/plain').send('Not a report name.');
      try {
        const text = await read(id, parsed.kind, parsed.format);
        return reply.type('text/plain; charset=utf-8').send(text);
      } catch {
        return reply.code(404).type('text/plain').send('No such report.');
      }
    },
  );
}
