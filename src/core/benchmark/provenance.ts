/**
 * `provenance.json`, written beside `dataset.json` in a benchmark zip: which encoders (id and
 * revision) computed `BiomedCLIP_sim` / `DINO_sim` (the dataset keeps MediConfusion's field names
 * for compatibility), and for each image its source's SHA-256 and what the zip holds of it — the
 * original bytes, a JPEG converted from the full-resolution original, or the 128 px thumbnail.
 * Importing the zip reads it back: an image whose source is already stored links to that item
 * instead of adding a copy that would pair with its own original.
 */
import { ImportError } from './errors.ts';
import { UNKNOWN_COMMIT, isCommit } from '../encoders/revision.ts';

export const PROVENANCE_FILE = 'provenance.json';
export const PROVENANCE_FORMAT = 'mediconfusion-explorer-export';

/** What the zip holds of an image: its bytes as dropped, a JPEG of the full-size original, or the thumbnail. */
export type ExportedImageSource = 'original' | 'converted' | 'thumbnail';

export interface EncoderRef {
  id: string;
  /** The revision key the embeddings are stored under (`hub:<repo>@<revision>`, …). */
  revision: string;
  /** The hub commit the weights came from, or 'unknown'; absent in exports made before it was recorded. */
  commit?: string;
  /** Other commits embeddings under the same key came from (the branch moved between visits). */
  earlierCommits?: string[];
}

export interface ExportProvenance {
  format: typeof PROVENANCE_FORMAT;
  version: 1;
  /** The encoders behind `BiomedCLIP_sim` (clip) and `DINO_sim` (dino). */
  encoders: { clip: EncoderRef; dino: EncoderRef };
  /** By local id ("20000"). */
  images: Record<string, { sha256: string; source: ExportedImageSource }>;
}

export function provenanceToJson(provenance: ExportProvenance): string {
  return `${JSON.stringify(provenance, null, 2)}\n`;
}

const SOURCES: readonly ExportedImageSource[] = ['original', 'converted', 'thumbnail'];

function encoderRef(value: unknown, file: string, field: string): EncoderRef {
  const ref = value as Partial<EncoderRef> | null;
  if (!ref || typeof ref !== 'object' || typeof ref.id !== 'string' || typeof ref.revision !== 'string') {
    throw new ImportError(file, field, 'expected {"id": "…", "revision": "…"}.');
  }
  const out: EncoderRef = { id: ref.id, revision: ref.revision };
  if (ref.commit !== undefined) {
    if (typeof ref.commit !== 'string' || (ref.commit !== UNKNOWN_COMMIT && !isCommit(ref.commit))) {
      throw new ImportError(file, `${field}.commit`, 'expected a hub commit (40 lower-case hex digits) or "unknown".');
    }
    out.commit = ref.commit;
  }
  if (ref.earlierCommits !== undefined) {
    if (!Array.isArray(ref.earlierCommits) || !ref.earlierCommits.every((c) => typeof c === 'string' && isCommit(c))) {
      throw new ImportError(file, `${field}.earlierCommits`, 'expected a list of hub commits (40 lower-case hex digits).');
    }
    out.earlierCommits = [...ref.earlierCommits];
  }
  return out;
}

/** Reads a provenance file back; throws an ImportError naming the first bad field. */
export function parseProvenance(text: string, file = PROVENANCE_FILE): ExportProvenance {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ImportError(file, '', 'is not valid JSON.');
  }
  const root = value as Partial<ExportProvenance> | null;
  if (!root || typeof root !== 'object' || root.format !== PROVENANCE_FORMAT) {
    throw new ImportError(file, 'format', `expected "${PROVENANCE_FORMAT}".`);
  }
  const encoders = root.encoders as Partial<ExportProvenance['encoders']> | undefined;
  const images: ExportProvenance['images'] = {};
  for (const [localId, entry] of Object.entries((root.images ?? {}) as Record<string, unknown>)) {
    const image = entry as { sha256?: unknown; source?: unknown } | null;
    if (!/^\d+$/.test(localId)) throw new ImportError(file, `images.${localId}`, 'expected a numeric local id.');
    if (!image || typeof image.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(image.sha256)) {
      throw new ImportError(file, `images.${localId}.sha256`, 'expected a lower-case hex SHA-256.');
    }
    if (!SOURCES.includes(image.source as ExportedImageSource)) {
      throw new ImportError(file, `images.${localId}.source`, `expected one of ${SOURCES.join(', ')}.`);
    }
    images[localId] = { sha256: image.sha256, source: image.source as ExportedImageSource };
  }
  return {
    format: PROVENANCE_FORMAT,
    version: 1,
    encoders: { clip: encoderRef(encoders?.clip, file, 'encoders.clip'), dino: encoderRef(encoders?.dino, file, 'encoders.dino') },
    images,
  };
}
