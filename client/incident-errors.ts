// Errors a client reports about incidents, apart from the SDK so that the CLI can recognise them
// without loading it.

export class IncidentNotFound extends Error {
  constructor(incidentId: string) {
    super(`There is no incident "${incidentId}". List incidents with: incident list --all`);
    this.name = 'IncidentNotFound';
  }
}

/** Temporal refused an action while the incident's workflow task was being retried (its worker died, say). */
export class IncidentRecovering extends Error {
  constructor(incidentId: string, waitedSeconds: number) {
    super(
      `Incident ${incidentId} did not take the action: for ${waitedSeconds} s Temporal kept it aside while the incident's last step is retried (a worker stopped or failed during it). Nothing was done. Run the command again in a minute; if this persists, look at the workers' logs.`,
    );
    this.name = 'IncidentRecovering';
  }
}
