/**
 * The one rule for turning anything thrown into the sentence a user sees. Errors raised by this
 * project are already sentences that say what to do; anything else is shown as it came.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}
