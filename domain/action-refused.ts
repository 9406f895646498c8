// Why an action (or a request to read) was refused before it reached the workflow's history: the message
// is for a person at 3 a.m., saying what was wrong and what to do instead. Apart from actions.ts so that
// `incident list` can use it without loading the deadline rules.

export class ActionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionRefused';
  }
}
