/** Threshold presets the UI and CLI offer; both write the same two numbers. */
import { MINING_DEFAULTS } from './defaults.ts';

export interface ThresholdPreset {
  id: 'mediconfusion' | 'mmvp';
  label: string;
  clipMin: number;
  dinoMax: number;
  /** One sentence for tooltips and the guide. */
  description: string;
}

/** MediConfusion (ICLR 2025): BiomedCLIP similarity > 0.90 and DINOv2 similarity < 0.75. */
export const MEDICONFUSION_PRESET: ThresholdPreset = {
  id: 'mediconfusion',
  label: 'MediConfusion',
  clipMin: MINING_DEFAULTS.clipMin,
  dinoMax: MINING_DEFAULTS.dinoMax,
  description: 'BiomedCLIP > 0.90 and DINOv2 < 0.75, as in MediConfusion (ICLR 2025).',
};
/** MMVP (Tong et al., 2024): CLIP similarity > 0.95 and DINOv2 similarity < 0.60. */
export const MMVP_PRESET: ThresholdPreset = {
  id: 'mmvp',
  label: 'MMVP',
  clipMin: 0.95,
  dinoMax: 0.6,
  description: 'CLIP > 0.95 and DINOv2 < 0.60, as in MMVP ("Eyes Wide Shut?").',
};
export const THRESHOLD_PRESETS: readonly ThresholdPreset[] = [MEDICONFUSION_PRESET, MMVP_PRESET];
