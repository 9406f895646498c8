/** An error class, as `instanceof` takes it. */
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

function refusedWith<E extends Error>(type: ErrorClass<E>, err: unknown): E {
  if (err instanceof type) return err;
  // Anything else is a failure of its own: keep its message and stack rather than hide them behind ours.
  throw err;
}

function accepted(type: ErrorClass<Error>): Error {
  return new Error(`the action was accepted; the test expected it to be refused with ${type.name}`);
}

/** The `type` error that `action` throws. Fails the test if the action is accepted or throws anything else. */
export function refusal<E extends Error>(type: ErrorClass<E>, action: () => unknown): E {
  try {
    action();
  } catch (err) {
    return refusedWith(type, err);
  }
  throw accepted(type);
}

/** The `type` error that `pending` rejects with. Fails the test if it resolves or rejects with anything else. */
export async function rejection<E extends Error>(type: ErrorClass<E>, pending: Promise<unknown>): Promise<E> {
  try {
    await pending;
  } catch (err) {
    return refusedWith(type, err);
  }
  throw accepted(type);
}
