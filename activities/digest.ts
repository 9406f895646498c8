import { Context } from '@temporalio/activity';
import type { DigestIncident } from '../domain/digest';

// What the leadership digest reads: the open incidents of this worker's task queue, each with its open
// obligations. Listing and querying Temporal is the worker's (worker/open-incidents.ts), injected here so
// that a test can give its own incidents.

/** The open incidents on `taskQueue`, with their obligations as each incident's state query answers. */
export type OpenIncidentLister = (taskQueue: string) => Promise<DigestIncident[]>;

export function digestActivities(listOpen: OpenIncidentLister) {
  return {
    /**
     * The task queue is the one this activity runs on: the incidents this worker's configuration
     * governs, and no other deployment's that shares the namespace.
     */
    async collectDigest(): Promise<DigestIncident[]> {
      const incidents = await listOpen(Context.current().info.taskQueue);
      // Only what the digest shows travels back through history.
      return incidents
        .map((i) => ({ ...i, obligations: i.obligations.filter((o) => o.status === 'pending') }))
        .filter((i) => i.obligations.length > 0);
    },
  };
}

export type DigestActivities = ReturnType<typeof digestActivities>;
