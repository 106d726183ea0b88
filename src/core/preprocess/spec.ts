/**
 * How an encoder wants its pixels. Each encoder's registry entry carries one of these, and the
 * same spec drives preprocessing in the CLI (Node), the encoder workers and the "what the
 * encoder sees" view.
 */
export interface PreprocessSpec {
  /** Which reference pipeline this reproduces (for labels and docs). */
  pipeline: 'open_clip' | 'hf_bit' | 'hf_clip';
  /** Resize so the shorter side equals this (bicubic, antialiased as PIL does). */
  shortestEdge: number;
  /** Centre crop to this square size after resizing. */
  cropSize: number;
  /** Per-channel mean and std in [0,1] units, applied after /255. */
  mean: [number, number, number];
  std: [number, number, number];
}

export const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** open_clip (BiomedCLIP, OpenAI CLIP): short side 224, centre crop 224, OpenAI mean/std. */
export const OPEN_CLIP_224: PreprocessSpec = {
  pipeline: 'open_clip',
  shortestEdge: 224,
  cropSize: 224,
  mean: OPENAI_CLIP_MEAN,
  std: OPENAI_CLIP_STD,
};

/** Hugging Face BitImageProcessor (DINOv2): short side 256, centre crop 224, ImageNet mean/std. */
export const HF_BIT_DINOV2: PreprocessSpec = {
  pipeline: 'hf_bit',
  shortestEdge: 256,
  cropSize: 224,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
};
