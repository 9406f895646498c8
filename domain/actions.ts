// Every responder action, its input, and the rule that refuses it before it enters history, one module per
// group of actions under actions/. This module gathers them, so that the workflow and its API see every
// action in one place.

export { ActionRefused } from './action-refused';
export { checkActor, checkSystemName, MAX_TEXT, type ActorInput } from './actions/input-checks';
export * from './actions/open-request';
export * from './actions/lifecycle';
export * from './actions/containment';
export * from './actions/breach-notification';
export * from './actions/root-cause-and-reports';
export * from './actions/legal-clocks';
