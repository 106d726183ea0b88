/**
 * Turns a validated MediConfusion dataset into the app's view of it: pairs of images with their
 * captions, categories, the published similarities and the question, plus the distinct images and
 * the file names under which their JPEGs may be found in an images folder.
 */
import type { MediConfusionDataset, Option } from './dataset.ts';
import { baseNameOf } from './names.ts';

/** One image of an imported benchmark. */
export interface ImportedImage {
  /** Local id (`images/<localId>.jpg` in the benchmark's images folder). */
  localId: number;
  /** `im_1`/`im_2` as written in the file: a path in the source collection or `images/<id>.jpg`. */
  sourcePath: string;
  /** File names to look for in a dropped images folder, most specific first. */
  candidateFileNames: string[];
  caption: string;
  categories: string[];
}

/** One pair of an imported benchmark. */
export interface ImportedPair {
  id: string;
  images: [ImportedImage, ImportedImage];
  /** Similarities as published in the file, to show beside the ones computed here. */
  publishedSimilarity: { biomedclip: number; dino: number };
  question: string;
  optionA: string;
  optionB: string;
  correct: [Option, Option];
  aiDraft: { question: string; optionA: string; optionB: string };
}

export interface ImportedBenchmark {
  pairs: ImportedPair[];
  /** Distinct images by local id, in order of first appearance. */
  images: ImportedImage[];
  /** Sentences about inconsistencies that do not block the import (e.g. two captions for one image). */
  warnings: string[];
}

/** Normalises a validated dataset; the same local id always yields the same image object. */
export function importDataset(dataset: MediConfusionDataset): ImportedBenchmark {
  const images = new Map<number, ImportedImage>();
  const warnings: string[] = [];
  const imageFor = (id: string, localId: number, sourcePath: string, caption: string, categories: string[]) => {
    const seen = images.get(localId);
    if (seen) {
      if (seen.caption !== caption) {
        warnings.push(`Pair ${id} gives image ${localId} a different caption than an earlier pair; the first one is kept.`);
      }
      return seen;
    }
    const names = [`${localId}.jpg`, baseNameOf(sourcePath)];
    const image: ImportedImage = {
      localId,
      sourcePath,
      candidateFileNames: [...new Set(names)],
      caption,
      categories: [...categories],
    };
    images.set(localId, image);
    return image;
  };
  const pairs = Object.entries(dataset).map(([id, pair]): ImportedPair => ({
    id,
    images: [
      imageFor(id, pair.im_1_local, pair.im_1, pair.cap_1, pair.category_1),
      imageFor(id, pair.im_2_local, pair.im_2, pair.cap_2, pair.category_2),
    ],
    publishedSimilarity: { biomedclip: pair.BiomedCLIP_sim, dino: pair.DINO_sim },
    question: pair.question,
    optionA: pair.option_A,
    optionB: pair.option_B,
    correct: [pair.im_1_correct, pair.im_2_correct],
    aiDraft: { question: pair.AI_question, optionA: pair.AI_option_A, optionB: pair.AI_option_B },
  }));
  return { pairs, images: [...images.values()], warnings };
}
