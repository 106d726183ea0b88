/** Small hand-written benchmark in the published MediConfusion layout (invented content). */
import type { MediConfusionPair } from '../../src/core/benchmark/dataset.ts';

export function pairEntry(overrides: Partial<MediConfusionPair> = {}): MediConfusionPair {
  return {
    im_1: 'train/radiology/images/ROCO_00001.jpg',
    im_2: 'train/radiology/images/ROCO_00002.jpg',
    im_1_local: 20000,
    im_2_local: 20001,
    cap_1: ' Sagittal T1 image showing a sellar mass.',
    cap_2: ' Sagittal T1 image with an empty sella.',
    category_1: ['Cerebral', 'Head and Neck'],
    category_2: ['Head and Neck'],
    BiomedCLIP_sim: 0.9213,
    DINO_sim: 0.6012,
    question: 'What fills the pituitary fossa?',
    option_A: 'A mass',
    option_B: 'Cerebrospinal fluid',
    im_1_correct: 'A',
    im_2_correct: 'B',
    AI_question: 'What is seen in the pituitary fossa?',
    AI_option_A: 'A sellar mass',
    AI_option_B: 'Cerebrospinal fluid',
    ...overrides,
  };
}

/**
 * Four pairs over five images. Categories: pair 10001 Cerebral+HN / HN, 10002 Spinal / Spinal,
 * 10003 Cardiac / Vascular, 10004 Cerebral / Cerebral+Vascular.
 */
export function sampleDataset(): Record<string, MediConfusionPair> {
  return {
    '10001': pairEntry(),
    '10002': pairEntry({
      im_1: 'train/radiology/images/ROCO_00003.jpg',
      im_2: 'validation/radiology/images/ROCO_00004.jpg',
      im_1_local: 20002,
      im_2_local: 20003,
      cap_1: 'Cervical spine MRI, cord compression.',
      cap_2: 'Cervical spine MRI, normal cord.',
      category_1: ['Spinal'],
      category_2: ['Spinal'],
      question: 'Is the cord compressed?',
      option_A: 'No',
      option_B: 'Yes',
      im_1_correct: 'B',
      im_2_correct: 'A',
    }),
    '10003': pairEntry({
      im_1: 'train/radiology/images/ROCO_00005.jpg',
      im_2: 'train/radiology/images/ROCO_00003.jpg',
      im_1_local: 20004,
      im_2_local: 20002,
      cap_1: 'Coronary angiogram, stenosis of the LAD.',
      cap_2: 'Cervical spine MRI, cord compression.',
      category_1: ['Cardiac'],
      category_2: ['Vascular'],
      question: 'Which vessel is shown?',
      option_A: 'A coronary artery',
      option_B: 'None',
      im_1_correct: 'A',
      im_2_correct: 'B',
    }),
    '10004': pairEntry({
      im_1: 'train/radiology/images/ROCO_00001.jpg',
      im_2: 'train/radiology/images/ROCO_00005.jpg',
      im_1_local: 20000,
      im_2_local: 20004,
      cap_1: ' Sagittal T1 image showing a sellar mass.',
      cap_2: 'Coronary angiogram, stenosis of the LAD.',
      category_1: ['Cerebral'],
      category_2: ['Cerebral', 'Vascular'],
      im_1_correct: 'B',
      im_2_correct: 'A',
    }),
  };
}

/** The published benchmark, relative to the repository (absent on machines without the data). */
export const PUBLISHED_DATASET = new URL('../../../shared/data/mediconfusion/dataset.json', import.meta.url);
