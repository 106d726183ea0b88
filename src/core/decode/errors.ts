/**
 * The one error type decoders raise. `message` is a full sentence meant for the user (what is
 * wrong, what to do); `code` is short and stable, for grouping rows in a "Skipped files" list.
 */
export type DecodeErrorCode =
  | 'empty'
  | 'truncated'
  | 'unknown-format'
  | 'not-an-image'
  | 'too-large'
  | 'corrupt'
  | 'unsupported'
  | 'webp-unavailable'
  | 'dicom-no-pixels'
  | 'dicom-unsupported-transfer-syntax'
  | 'dicom-corrupt'
  | 'timeout'
  | 'read-failed';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A short text for anything thrown (libraries throw strings and plain objects too). Never
 * serialises arbitrary objects: dicom-parser attaches the whole data set, patient data included.
 */
export function describeThrown(thrown: unknown): string {
  let text = 'unknown error';
  if (thrown instanceof Error) text = thrown.message;
  else if (typeof thrown === 'string') text = thrown;
  else if (thrown && typeof thrown === 'object') {
    const { exception, message } = thrown as { exception?: unknown; message?: unknown };
    if (typeof exception === 'string') text = exception;
    else if (typeof message === 'string') text = message;
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * Runs `work` and turns anything it throws, other than a DecodeError, into one with `code` and a
 * sentence built by `explain` from the library's own message.
 */
export async function withDecodeErrors<T>(
  code: DecodeErrorCode,
  explain: (detail: string) => string,
  work: () => T | Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (thrown) {
    if (thrown instanceof DecodeError) throw thrown;
    if (thrown instanceof RangeError && /allocat|Array buffer|Invalid typed array length/i.test(thrown.message)) {
      throw new DecodeError('too-large', 'The image needs more memory than this device can give it; try a smaller image.');
    }
    throw new DecodeError(code, explain(describeThrown(thrown)));
  }
}
