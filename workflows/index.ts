// The workflow bundle's entry point: every workflow type the worker hosts.
export { incidentWorkflow } from './incident/index';
export { leadershipDigest } from './leadership-digest';
