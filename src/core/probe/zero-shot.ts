/**
 * The zero-shot probe of a pair (as MMVP-VLM probes CLIP): each image's softmax over the pair's
 * two option texts, scaled by the encoder's logit_scale. It tests the encoder, not an MLLM: a
 * pair is "encoder-confused" when both images prefer the same option and "encoder-correct" when
 * each prefers its own correct answer. Over a benchmark, the preferences are scored as answers with
 * the benchmark's own definitions (score.ts), so the encoder sits as a baseline row beside models.
 */
import type { AnswerSheet } from '../benchmark/answers.ts';
import type { MediConfusionDataset, Option } from '../benchmark/dataset.ts';
import { scoreAnswers, type ScoreReport } from '../benchmark/score.ts';

/** How an option becomes the text the encoder embeds; `{option}` is replaced by the option text. */
export const DEFAULT_PROMPT_TEMPLATE = '{option}';

export function promptFor(option: string, template: string = DEFAULT_PROMPT_TEMPLATE): string {
  if (!template.includes('{option}')) throw new Error(`The prompt template "${template}" has no {option} placeholder; add one, e.g. "a medical image showing {option}".`);
  return template.replaceAll('{option}', option);
}

/** One image's view of the two options. */
export interface ImageProbe {
  /** Cosine similarity to option A's and B's text embedding. */
  similarities: [number, number];
  /** softmax(logit_scale * similarities). */
  probabilities: [number, number];
  preferred: Option;
}

export type PairVerdict = 'encoder-correct' | 'encoder-confused' | 'encoder-inverted';

export interface PairProbe {
  images: [ImageProbe, ImageProbe];
  /** correct: each image prefers its own correct answer; confused: both prefer one option; inverted: each prefers the other's answer. */
  verdict: PairVerdict;
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`An image embedding has ${a.length} dimensions and a text embedding ${b.length}; embed both with the same CLIP encoder.`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** One image against the two option embeddings (all L2-normalised). Ties go to A, as argmax does. */
export function probeImage(image: Float32Array, optionA: Float32Array, optionB: Float32Array, logitScale: number): ImageProbe {
  if (!Number.isFinite(logitScale) || logitScale <= 0) throw new Error(`The logit scale ${logitScale} is not a positive number; read it from the encoder's config.json.`);
  const similarities: [number, number] = [dot(image, optionA), dot(image, optionB)];
  // Softmax of two logits, shifted by their maximum so a large scale cannot overflow.
  const [la, lb] = similarities.map((s) => s * logitScale);
  const m = Math.max(la, lb);
  const ea = Math.exp(la - m);
  const eb = Math.exp(lb - m);
  return { similarities, probabilities: [ea / (ea + eb), eb / (ea + eb)], preferred: la >= lb ? 'A' : 'B' };
}

/** Both images of a pair; `correct` is each image's correct option (im_1_correct, im_2_correct). */
export function probePair(
  images: [Float32Array, Float32Array],
  options: [Float32Array, Float32Array],
  logitScale: number,
  correct: [Option, Option],
): PairProbe {
  const probes: [ImageProbe, ImageProbe] = [probeImage(images[0], ...options, logitScale), probeImage(images[1], ...options, logitScale)];
  const verdict: PairVerdict =
    probes[0].preferred === probes[1].preferred ? 'encoder-confused' : probes[0].preferred === correct[0] ? 'encoder-correct' : 'encoder-inverted';
  return { images: probes, verdict };
}

/** Embeddings a benchmark probe needs, looked up by pair id; `null` for a pair whose images or texts are not embedded. */
export interface ProbeInputs {
  images(pairId: string): [Float32Array, Float32Array] | null;
  options(pairId: string): [Float32Array, Float32Array] | null;
}

export interface BenchmarkProbe {
  pairs: Record<string, PairProbe>;
  /** The encoder's preferences as an answer sheet; unprobed pairs are absent (scored as invalid, as a missing answer is). */
  answers: AnswerSheet;
  /** Set accuracy, confusion, individual accuracy and invalid rate, overall and per category (score.ts definitions). */
  score: ScoreReport;
}

/** Probes every pair of a benchmark and scores the encoder's preferences like a model's answers. */
export function probeBenchmark(dataset: MediConfusionDataset, inputs: ProbeInputs, logitScale: number): BenchmarkProbe {
  const pairs: Record<string, PairProbe> = {};
  const answers: AnswerSheet = new Map();
  for (const [id, pair] of Object.entries(dataset)) {
    const images = inputs.images(id);
    const options = inputs.options(id);
    if (!images || !options) continue;
    const probe = probePair(images, options, logitScale, [pair.im_1_correct, pair.im_2_correct]);
    pairs[id] = probe;
    answers.set(id, { im1: probe.images[0].preferred, im2: probe.images[1].preferred, raw: { im1: probe.images[0].preferred, im2: probe.images[1].preferred } });
  }
  return { pairs, answers, score: scoreAnswers(dataset, answers) };
}
