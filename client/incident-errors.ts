// Errors a client reports about incidents, apart from the SDK so that the CLI can recognise them
// without loading it.

export class IncidentNotFound extends Error {
  constructor(incidentId: string) {
    super(`There is no incident "${incidentId}". List incidents with: incident list --all`);
    this.name = 'IncidentNotFound';
  }
}
