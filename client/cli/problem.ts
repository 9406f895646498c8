// A problem found by a CLI command's own work (not by the workflow): usage is the person's request
// (exit 2), refused is what the data on disk will not allow (exit 1). The message says what to do.

export class CliProblem extends Error {
  constructor(
    readonly kind: 'usage' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'CliProblem';
  }
}
