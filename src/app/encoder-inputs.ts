/**
 * What each encoder receives for one image, de-normalised back to pixels. The kept original goes
 * through the same ingest path as at embedding time, so the preview is exactly the encoder's
 * input; without a kept original, a reason instead.
 */
import type { ItemRecord } from '../store/index.ts';
import { readKeptOriginal } from './embed-queue.ts';
import type { EncoderPair } from './encoders.svelte.ts';

export interface EncoderInputs {
  clip: ImageData | null;
  dino: ImageData | null;
  reason: string;
}

export async function encoderInputsOf(item: ItemRecord | undefined, encoders: EncoderPair, loadEncoders: () => Promise<boolean>): Promise<EncoderInputs> {
  if (!item?.original) {
    return { clip: null, dino: null, reason: 'The original pixels of this image are not kept in this browser; turn on "Keep images in this browser" and add it again to see what the encoders receive.' };
  }
  if (!encoders.clip.loaded || !encoders.dino.loaded) await loadEncoders();
  const kept = await readKeptOriginal(item);
  if (typeof kept === 'string') return { clip: null, dino: null, reason: kept };
  const [clip, dino] = await Promise.all([encoders.clip.preview(kept.rgb), encoders.dino.preview(kept.rgb)]);
  const toImageData = (p: typeof clip) => (p ? new ImageData(new Uint8ClampedArray(p.rgba), p.width, p.height) : null);
  return { clip: toImageData(clip), dino: toImageData(dino), reason: clip && dino ? '' : 'The encoders are not loaded; see the Encoders panel.' };
}
