// The one error the clock engine's input checks throw; its own module so that every check can use it
// without importing the others. The CLI maps it to a usage error (exit 2), the workflow to a refusal.

export class ClockInputError extends Error {
  constructor(
    /** The field as the person wrote it: `--regime`, `awareness`, `people`, `zones.nis2`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClockInputError';
  }
}
