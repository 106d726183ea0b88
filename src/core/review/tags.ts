/**
 * Failure-mode tags of triage with their labels, after the failure modes named by the
 * MediConfusion paper. The ids are those of the session file (`FAILURE_MODE_TAGS`).
 */
import { FAILURE_MODE_TAGS } from '../benchmark/session-file.ts';

export type FailureModeTag = (typeof FAILURE_MODE_TAGS)[number];

export const FAILURE_MODE_LABELS: Readonly<Record<FailureModeTag, string>> = {
  'anatomy-vs-pathology': 'Normal or variant anatomy vs pathology',
  'lesion-signal': 'Lesion signal characteristics',
  vascular: 'Vascular condition',
  'medical-device': 'Medical device',
  other: 'Other',
};

/** Tags in display order with their labels. */
export const FAILURE_MODES: readonly { id: FailureModeTag; label: string }[] = FAILURE_MODE_TAGS.map((id) => ({
  id,
  label: FAILURE_MODE_LABELS[id],
}));

/** The tag list with `tag` added or removed, in display order (unknown tags kept at the end). */
export function toggleTag(tags: readonly string[], tag: string): string[] {
  const set = new Set(tags);
  if (set.has(tag)) set.delete(tag);
  else set.add(tag);
  const known = FAILURE_MODE_TAGS.filter((t) => set.has(t));
  const others = [...set].filter((t) => !(FAILURE_MODE_TAGS as readonly string[]).includes(t));
  return [...known, ...others];
}
