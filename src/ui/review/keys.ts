/** Keyboard helpers of the review components. */

/** True when typing in `target` must not trigger single-letter shortcuts. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'reset', 'submit', 'color', 'file', 'image'].includes(target.type);
}

/**
 * True when a page-wide shortcut should be ignored: modifiers held, already handled, typing in
 * a field, or focus inside a dialog that does not contain `owner`.
 */
export function ignoreShortcut(event: KeyboardEvent, owner: HTMLElement | undefined): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return true;
  if (isTextEntry(event.target)) return true;
  const target = event.target instanceof Element ? event.target : null;
  const dialog = target?.closest('dialog, [role="dialog"], [aria-modal="true"]');
  return !!dialog && !!owner && !dialog.contains(owner);
}
