/**
 * The built-in synthetic sample set: procedurally drawn phantoms of chest radiographs, brain MRI
 * slices and ultrasound sectors, each in a normal and several abnormal variants. Every image is
 * generated here from a seed: no third-party image is shipped, and every name and caption says
 * "synthetic". Variants of one anatomy differ in a small clinically meaningful detail, which is
 * what a blind-spot demo needs.
 */
import { Raster, random } from './raster.ts';
import { encodePng } from '../formats/png-encode.ts';
import { toCsv } from '../formats/csv-write.ts';

export interface SampleImage {
  name: string;
  caption: string;
  category: string;
  width: number;
  height: number;
  /** 8-bit greyscale pixels. */
  grey: Uint8Array;
}

type Rng = ReturnType<typeof random>;

const chestVariants = {
  normal: 'no acute abnormality',
  nodule: 'a solitary nodule in the right upper zone',
  effusion: 'a left pleural effusion blunting the costophrenic angle',
  cardiomegaly: 'an enlarged cardiac silhouette',
  pacemaker: 'a left pectoral pacemaker with a lead into the right ventricle',
  pneumothorax: 'a right apical pneumothorax without lung markings',
} as const;

const brainVariants = {
  normal: 'no focal lesion',
  enhancing: 'a ring-enhancing lesion in the right hemisphere',
  hypointense: 'a hypointense lesion in the left frontal lobe',
  shift: 'midline shift to the left from a right-sided mass',
  hydrocephalus: 'enlarged lateral ventricles',
} as const;

const usVariants = {
  normal: 'homogeneous parenchyma',
  cyst: 'an anechoic cyst with posterior acoustic enhancement',
  solid: 'a hyperechoic solid mass',
  calcification: 'a calcification casting an acoustic shadow',
} as const;

function chest(variant: keyof typeof chestVariants, rng: Rng, size = 256): Raster {
  const r = new Raster(size, size, 0.08);
  const s = size / 256;
  const tilt = rng.range(-0.04, 0.04);
  r.ellipse(128 * s, 140 * s, 110 * s, 120 * s, 0.62, 6 * s, 'set', tilt);
  const lungY = 128 * s + rng.range(-4, 4) * s;
  r.ellipse(84 * s, lungY, 38 * s, 78 * s, 0.18, 5 * s, 'set', 0.08 + tilt);
  r.ellipse(172 * s, lungY, 38 * s, 78 * s, 0.18, 5 * s, 'set', -0.08 + tilt);
  const heartScale = variant === 'cardiomegaly' ? 1.45 : 1;
  r.ellipse(140 * s, 168 * s, 34 * s * heartScale, 30 * s * heartScale, 0.7, 5 * s, 'set', 0.3);
  r.ellipse(128 * s, 90 * s, 12 * s, 60 * s, 0.66, 4 * s);
  for (let i = 0; i < 7; i++) {
    const y = (70 + i * 20) * s;
    r.line(50 * s, y + 8 * s, 118 * s, y - 4 * s, 3 * s, 0.1);
    r.line(138 * s, y - 4 * s, 206 * s, y + 8 * s, 3 * s, 0.1);
  }
  if (variant === 'nodule') r.blob(rng.range(70, 95) * s, rng.range(80, 100) * s, 5 * s, 0.45);
  if (variant === 'effusion') r.ellipse(172 * s, 200 * s, 40 * s, 26 * s, 0.6, 8 * s);
  if (variant === 'pacemaker') {
    r.ellipse(200 * s, 50 * s, 11 * s, 8 * s, 0.98, 1.5 * s);
    r.line(200 * s, 50 * s, 150 * s, 110 * s, 1.6 * s, 0.5);
    r.line(150 * s, 110 * s, 142 * s, 165 * s, 1.6 * s, 0.5);
  }
  if (variant === 'pneumothorax') {
    r.ellipse(84 * s, 90 * s, 30 * s, 36 * s, 0.06, 2 * s);
    r.line(62 * s, 118 * s, 108 * s, 110 * s, 1 * s, 0.25);
  }
  return r;
}

function brain(variant: keyof typeof brainVariants, rng: Rng, size = 256): Raster {
  const r = new Raster(size, size, 0.02);
  const s = size / 256;
  r.ellipse(128 * s, 128 * s, 96 * s, 114 * s, 0.85, 2 * s);
  r.ellipse(128 * s, 128 * s, 88 * s, 106 * s, 0.45, 2 * s);
  const shift = variant === 'shift' ? -12 * s : 0;
  const ventricle = variant === 'hydrocephalus' ? 1.8 : 1;
  r.ellipse(116 * s + shift, 118 * s, 8 * s * ventricle, 26 * s * ventricle, 0.12, 2 * s, 'set', 0.25);
  r.ellipse(140 * s + shift, 118 * s, 8 * s * ventricle, 26 * s * ventricle, 0.12, 2 * s, 'set', -0.25);
  r.line(128 * s + shift, 30 * s, 128 * s + shift, 226 * s, 1.5 * s, -0.12);
  for (let i = 0; i < 14; i++) {
    const a = (i / 14) * Math.PI * 2;
    r.blob(128 * s + Math.cos(a) * 78 * s, 128 * s + Math.sin(a) * 96 * s, 6 * s, -0.1);
  }
  if (variant === 'enhancing' || variant === 'shift') {
    const cx = rng.range(165, 180) * s;
    const cy = rng.range(110, 140) * s;
    r.ellipse(cx, cy, 15 * s, 15 * s, 0.9, 2 * s);
    r.ellipse(cx, cy, 9 * s, 9 * s, 0.35, 2 * s);
  }
  if (variant === 'hypointense') r.ellipse(rng.range(90, 100) * s, rng.range(70, 85) * s, 12 * s, 10 * s, 0.15, 4 * s);
  return r;
}

function ultrasound(variant: keyof typeof usVariants, rng: Rng, size = 256): Raster {
  const r = new Raster(size, size, 0);
  const apexX = 128 * (size / 256);
  const depth = 230 * (size / 256);
  const half = 0.6;
  r.map((_, x, y) => {
    const dx = x - apexX;
    const dist = Math.hypot(dx, y + 10);
    const angle = Math.atan2(dx, y + 10);
    if (Math.abs(angle) > half || dist > depth) return 0;
    const speckle = Math.max(0, 0.42 + 0.18 * rng.normal());
    return speckle * (1 - dist / (depth * 1.8));
  });
  const s = size / 256;
  const cx = rng.range(110, 146) * s;
  const cy = rng.range(120, 150) * s;
  if (variant === 'cyst') {
    r.ellipse(cx, cy, 22 * s, 18 * s, 0.03, 2 * s);
    r.ellipse(cx, cy + 40 * s, 20 * s, 18 * s, 0.18, 10 * s, 'add');
  }
  if (variant === 'solid') r.ellipse(cx, cy, 20 * s, 17 * s, 0.72, 3 * s);
  if (variant === 'calcification') {
    r.ellipse(cx, cy, 6 * s, 5 * s, 1, 1.5 * s);
    r.map((v, x, y) => (y > cy + 6 * s && Math.abs(x - cx) < 7 * s ? v * 0.15 : v));
  }
  r.blur(1, 1);
  return r;
}

function finish(r: Raster, rng: Rng, noise: number): Uint8Array {
  r.blur(1, 1);
  r.map((v) => v + noise * rng.normal());
  return r.toGrey8();
}

/** The whole sample set (deterministic). `copies` seeds per variant. */
export function generateSampleSet(copies = 3, size = 256): SampleImage[] {
  const out: SampleImage[] = [];
  const add = (kind: string, category: string, variant: string, finding: string, raster: Raster, rng: Rng, noise: number, copy: number) => {
    out.push({
      name: `synthetic-${kind}-${variant}-${copy + 1}.png`,
      caption: `Synthetic ${category} phantom (generated, not a patient): ${finding}.`,
      category,
      width: raster.width,
      height: raster.height,
      grey: finish(raster, rng, noise),
    });
  };
  let seed = 1000;
  for (let copy = 0; copy < copies; copy++) {
    for (const [variant, finding] of Object.entries(chestVariants)) {
      const rng = random(seed++);
      add('chest', 'chest radiograph', variant, finding, chest(variant as keyof typeof chestVariants, rng, size), rng, 0.015, copy);
    }
    for (const [variant, finding] of Object.entries(brainVariants)) {
      const rng = random(seed++);
      add('brain', 'brain MRI', variant, finding, brain(variant as keyof typeof brainVariants, rng, size), rng, 0.02, copy);
    }
    for (const [variant, finding] of Object.entries(usVariants)) {
      const rng = random(seed++);
      add('us', 'ultrasound', variant, finding, ultrasound(variant as keyof typeof usVariants, rng, size), rng, 0.01, copy);
    }
  }
  return out;
}

export function sampleImagePng(image: SampleImage): Uint8Array {
  return encodePng(image.width, image.height, 1, image.grey);
}

/** Captions CSV in the ROCO style (`name,caption`) plus a category column. */
export function sampleCaptionsCsv(images: SampleImage[]): string {
  return toCsv([['name', 'caption', 'category'], ...images.map((i) => [i.name, i.caption, i.category])]);
}
