/** Saving generated files from the page: a Blob behind an object URL and a temporary `<a download>`. */

/** Starts the browser's download of `blob` as `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The download has started by the next task; revoking frees the Blob.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
