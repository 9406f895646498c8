import type { Adapter, AlertSource } from './alert';
import { alertmanagerAdapter } from './alertmanager';
import { falcoAdapter } from './falco';
import { genericAdapter } from './generic';
import { guarddutyAdapter } from './guardduty';
import { ocsfAdapter } from './ocsf';
import { pagerdutyAdapter } from './pagerduty';

/** The adapter for each alert source: request body in, normalised alerts (or the offending field) out. */
export const ADAPTERS: Record<AlertSource, Adapter> = {
  alertmanager: alertmanagerAdapter,
  pagerduty: pagerdutyAdapter,
  falco: falcoAdapter,
  guardduty: guarddutyAdapter,
  ocsf: ocsfAdapter,
  generic: genericAdapter,
};
