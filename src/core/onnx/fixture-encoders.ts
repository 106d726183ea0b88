/**
 * Tiny, deterministic stand-ins for the real encoders, with their exact input/output contracts:
 * - fixture-clip: pixel_values [B,3,224,224] -> image_embeds [B,512], L2-normalised rows, and a
 *   text tower (fixture-text.ts): input_ids/attention_mask [B,L] -> text_embeds [B,512];
 * - fixture-dino: pixel_values [B,3,H,W] -> last_hidden_state [B,1+(H/14)(W/14),384] and
 *   pooler_output [B,384].
 * Their weights are seeded noise: the embeddings depend on image content but mean nothing.
 */
import { GraphBuilder, seededUniform } from './graph-builder.ts';
import { FIXTURE_TEXT_CONFIG, fixtureTextFiles } from './fixture-text.ts';
import { textConfigJson } from '../convert/biomedclip-text.ts';

export const FIXTURE_CLIP_DIM = 512;
export const FIXTURE_DINO_DIM = 384;

export function buildFixtureClip(): Uint8Array {
  const g = new GraphBuilder('fixture_clip_vision');
  const x = g.input('pixel_values', ['batch_size', 3, 224, 224]);
  // 16x16 patches averaged -> 3x14x14 = 588 features, like a ViT-B/16 patch grid.
  const pooled = g.op('AveragePool', [x], { kernel_shape: [16, 16], strides: [16, 16] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const w1 = g.weight('proj1.weight', [588, 512], seededUniform(1, 588 * 512, 0.12));
  const b1 = g.weight('proj1.bias', [512], seededUniform(2, 512, 0.05));
  const h = g.op('Tanh', [g.op('Add', [g.op('MatMul', [flat, w1]), b1])]);
  const w2 = g.weight('proj2.weight', [512, 512], seededUniform(3, 512 * 512, 0.08));
  const e = g.op('MatMul', [h, w2]);
  g.output(l2Normalise(g, e, 'image_embeds'), ['batch_size', FIXTURE_CLIP_DIM]);
  return g.toBytes();
}

export function buildFixtureDino(): Uint8Array {
  const g = new GraphBuilder('fixture_dinov2');
  const d = FIXTURE_DINO_DIM;
  const x = g.input('pixel_values', ['batch_size', 3, 'height', 'width']);
  const w = g.weight('patch.weight', [d, 3, 14, 14], seededUniform(11, d * 3 * 14 * 14, 0.05));
  const b = g.weight('patch.bias', [d], seededUniform(12, d, 0.02));
  const patchesNchw = g.op('Tanh', [g.op('Conv', [x, w, b], { kernel_shape: [14, 14], strides: [14, 14] })]);
  const shape = g.int64('tokens_shape', [0, d, -1]);
  const patches = g.op('Transpose', [g.op('Reshape', [patchesNchw, shape])], { perm: [0, 2, 1] });
  // The CLS token contrasts the strongest local response with the average one, centred over
  // features: small local findings move it, unlike the coarse fixture-clip pooling. That gives
  // the sample set pairs that one fixture finds close and the other far apart.
  // Opset 17: ReduceMean/ReduceMax still take their axes as attributes (inputs from opset 18).
  const mean = g.op('ReduceMean', [patches], { axes: [1], keepdims: 1 });
  const peak = g.op('ReduceMax', [patches], { axes: [1], keepdims: 1 });
  const contrast = g.op('Sub', [peak, mean]);
  const centred = g.op('Sub', [contrast, g.op('ReduceMean', [contrast], { axes: [2], keepdims: 1 })]);
  const wc = g.weight('cls.weight', [d, d], seededUniform(13, d * d, 0.15));
  const cls = g.op('Tanh', [g.op('MatMul', [centred, wc])]);
  g.op('Concat', [cls, patches], { axis: 1 }, 'last_hidden_state');
  g.output('last_hidden_state', ['batch_size', 'sequence_length', d]);
  g.op('Flatten', [cls], { axis: 1 }, 'pooler_output');
  g.output('pooler_output', ['batch_size', d]);
  return g.toBytes();
}

function l2Normalise(g: GraphBuilder, x: string, outputName: string): string {
  const axes = g.int64(`${outputName}_axes`, [1]);
  const sumSq = g.op('ReduceSum', [g.op('Mul', [x, x]), axes], { keepdims: 1 });
  const eps = g.weight(`${outputName}_eps`, [1], new Float32Array([1e-12]));
  const norm = g.op('Sqrt', [g.op('Add', [sumSq, eps])]);
  return g.op('Div', [x, norm], {}, outputName);
}

const imageNetMean = [0.485, 0.456, 0.406];
const imageNetStd = [0.229, 0.224, 0.225];
const openAiMean = [0.48145466, 0.4578275, 0.40821073];
const openAiStd = [0.26862954, 0.26130258, 0.27577711];

/** Files of a fixture encoder in the self-hosted layout (`config.json`, `preprocessor_config.json`, `onnx/*`). */
export function fixtureEncoderFiles(id: 'fixture-clip' | 'fixture-dino'): Record<string, Uint8Array | string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  if (id === 'fixture-clip') {
    return {
      'config.json': json({
        model_type: 'clip_vision_model',
        architectures: ['CLIPVisionModelWithProjection'],
        projection_dim: FIXTURE_CLIP_DIM,
        image_size: 224,
        patch_size: 16,
        // ln(100), the temperature OpenAI CLIP ends training at; recorded as BiomedCLIP's converter does.
        logit_scale: Math.log(100),
        text_config: textConfigJson(FIXTURE_TEXT_CONFIG),
        _comment: 'Fixture encoder: seeded random weights, embeddings carry no meaning.',
      }),
      'preprocessor_config.json': json({
        image_processor_type: 'CLIPImageProcessor',
        do_resize: true,
        size: { shortest_edge: 224 },
        resample: 3,
        do_center_crop: true,
        crop_size: { height: 224, width: 224 },
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        image_mean: openAiMean,
        image_std: openAiStd,
        do_convert_rgb: true,
      }),
      'onnx/vision_model.onnx': buildFixtureClip(),
      ...fixtureTextFiles(),
    };
  }
  return {
    'config.json': json({
      model_type: 'dinov2',
      architectures: ['Dinov2Model'],
      hidden_size: FIXTURE_DINO_DIM,
      image_size: 518,
      patch_size: 14,
      _comment: 'Fixture encoder: seeded random weights, embeddings carry no meaning.',
    }),
    'preprocessor_config.json': json({
      image_processor_type: 'BitImageProcessor',
      do_resize: true,
      size: { shortest_edge: 256 },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: 224, width: 224 },
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: imageNetMean,
      image_std: imageNetStd,
      do_convert_rgb: true,
    }),
    'onnx/model.onnx': buildFixtureDino(),
  };
}
