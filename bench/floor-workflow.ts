import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

// The floor's whole workflow: one activity that sends one mail, then it stays open, as an incident does,
// and takes later alerts for the same key as signals. Bundled once by bench/storm.ts.

export interface FloorActivities {
  sendFloorMail(subject: string): Promise<void>;
}

export const floorAlertSignal = defineSignal<[string]>('alert');

const { sendFloorMail } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1m' });

export async function floorIncident(incidentId: string, title: string): Promise<void> {
  let alerts = 0;
  setHandler(floorAlertSignal, () => {
    alerts++;
  });
  await sendFloorMail(`[SEV2] Security incident ${incidentId}: ${title}`);
  await condition(() => alerts < 0);
}
