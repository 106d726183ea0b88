/** What the views call an encoder: its registry label without the parenthesised note. */
import { findEncoder } from '../../core/encoders/registry.ts';

export function encoderLabel(encoderId: string): string {
  const label = findEncoder(encoderId)?.label ?? encoderId;
  return label.replace(/\s*\(.*\)\s*$/, '');
}
