/**
 * Reads a captions file (a Blob: a File in the browser or Node) off the page: streamed and
 * decoded chunk by chunk into the incremental parser, with progress at most every 100 ms. The
 * captions worker exposes this class; its result is plain data (an ImportError becomes its
 * fields), so it crosses a worker boundary whole.
 */
import { parseCaptionsIncremental, type CaptionEntry, type CaptionsProgress } from './captions.ts';
import { ImportError } from './errors.ts';

export type CaptionsReadResult =
  | { ok: true; entries: CaptionEntry[] }
  | { ok: false; error: { file: string; field: string; expected: string } };

const PROGRESS_EVERY_MS = 100;

/** The text of a Blob as decoded chunks (a reader loop: not every browser iterates streams). */
async function* textChunks(blob: Blob): AsyncGenerator<string> {
  const reader = blob.stream().pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export class CaptionsFileReader {
  async read(blob: Blob, name: string, onProgress?: (progress: CaptionsProgress) => void): Promise<CaptionsReadResult> {
    let last = 0;
    const report = (progress: CaptionsProgress) => {
      const now = Date.now();
      if (progress.phase !== 'done' && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      onProgress?.(progress);
    };
    try {
      const index = await parseCaptionsIncremental(textChunks(blob), name, { totalChars: blob.size, onProgress: report });
      return { ok: true, entries: index.entries };
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      return { ok: false, error: { file: error.file, field: error.field, expected: error.expected } };
    }
  }
}
