import { ApplicationFailure } from '@temporalio/activity';
import type { FailureType } from '../domain/failure-types';

/** A failure no retry can help; the workflow recognises it by its type. */
export function permanent(message: string, type: FailureType): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}
