// What goes wrong with a file encrypted at rest, each named so that a caller (and a person) can tell a
// missing key from a damaged file from a resumed copy whose source changed.

export class AtRestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtRestError';
  }
}

export class AtRestKeyMissing extends AtRestError {
  constructor(
    readonly keyId: string,
    readonly file: string,
  ) {
    super(
      `${file} was encrypted at rest with key "${keyId}", which is not in the key ring. Add that key back (INCIDENT_PAYLOAD_KEYS, or keys/payload-keys under the data dir) to read it.`,
    );
    this.name = 'AtRestKeyMissing';
  }
}

/** Not this format at all (or a version this code does not know). */
export class AtRestFormatError extends AtRestError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file} is not a readable encrypted file: ${problem}.`);
    this.name = 'AtRestFormatError';
  }
}

/**
 * A resumed sealing would rewrite the torn segment with different bytes: the source changed since the
 * first attempt, and sealing other plaintext under that segment's nonce would reuse the nonce.
 */
export class AtRestResumeMismatch extends AtRestError {
  constructor(readonly file: string) {
    super(
      `${file}: the source no longer gives the bytes of the segment cut short by the crash; the copy must start over.`,
    );
    this.name = 'AtRestResumeMismatch';
  }
}

/** The file is of this format but was changed, cut short, lengthened or reordered. */
export class AtRestIntegrityError extends AtRestError {
  constructor(
    readonly file: string,
    readonly segment: number | undefined,
    readonly problem: string,
  ) {
    super(
      `${file}${segment === undefined ? '' : `, segment ${segment}`}: ${problem}. The file was tampered with or damaged; nothing read from it can be trusted.`,
    );
    this.name = 'AtRestIntegrityError';
  }
}
