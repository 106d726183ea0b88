/**
 * Files that did not fit in the browser's storage during this visit. Each is listed with the
 * other skipped files ("storage full", with roughly how much more space it needs) and its File
 * is held in memory, so "Retry skipped" can add it once space is freed without a new drop. After
 * a reload only the list remains: the files must be dropped again.
 */
import { isQuotaError, type Store } from '../store/index.ts';

export const STORAGE_FULL_CODE = 'storage-full';

/** "1.2 MB", "340 kB": roughly, as the sentence needs. */
function roughBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

/** The sentence a file that did not fit is listed with. */
export function storageFullReason(needed: number | undefined): string {
  const amount = needed && needed > 0 ? `about ${roughBytes(needed)} more is needed for this image` : 'this image did not fit';
  return `Storage for this site is full: ${amount}. Free space (turn off "Keep images in this browser", remove other sites' data), then press "Retry skipped".`;
}

/** Bytes the browser would need beyond what is left, when it says how much is left. */
async function shortfall(bytes: number): Promise<number | undefined> {
  try {
    const { usage, quota } = (await navigator.storage?.estimate?.()) ?? {};
    if (usage === undefined || quota === undefined) return undefined;
    return Math.max(bytes - (quota - usage), bytes > 0 ? 1 : 0);
  } catch {
    return undefined;
  }
}

export class StorageFullSkips {
  /** Files that can be retried in this visit. */
  count = $state(0);
  private readonly files = new Map<string, File>();

  constructor(private readonly store: () => Store) {}

  /** Whether `error` is the quota; then the file is listed and held for a retry. */
  async skipIfFull(error: unknown, file: File, bytes: number): Promise<boolean> {
    if (!isQuotaError(error)) return false;
    const path = file.webkitRelativePath || file.name;
    this.files.set(path, file);
    this.count = this.files.size;
    // A record of a few hundred bytes usually fits where the image did not; if not, the
    // banner already says storage is full and the file is still held for the retry.
    await this.store()
      .skipped.add([{ file: path, code: STORAGE_FULL_CODE, reason: storageFullReason(await shortfall(bytes)) }])
      .catch(() => undefined);
    return true;
  }

  /** The held files, with their "storage full" entries removed from the list (a retry lists them again if they still do not fit). */
  async take(): Promise<File[]> {
    const files = [...this.files.values()];
    const paths = new Set(this.files.keys());
    this.files.clear();
    this.count = 0;
    await this.store().skipped.removeWhere((record) => record.code === STORAGE_FULL_CODE && paths.has(record.file));
    return files;
  }
}
