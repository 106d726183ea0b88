/**
 * Helpers for the imported-benchmark tests: a generated MediConfusion dataset.json with JPEG
 * images drawn here, an app on its own database with the fixture encoders, and the reference
 * similarities read straight from the stored embeddings.
 */
import { datasetToJson, type MediConfusionDataset, type MediConfusionPair } from '../../src/core/benchmark/index.ts';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { normalizeRows, pairSimilarity } from '../../src/core/mining/matrix.ts';
import { cosine } from './encoders-support.ts';
import { uniqueDbName } from './store-support.ts';

/** One image of the generated benchmark: local id, its path in the "source collection", bytes. */
export interface GeneratedImage {
  localId: number;
  sourcePath: string;
  jpeg: Uint8Array;
}

/** A distinct grey-scale "scan" per seed: an ellipse with a bright spot, as a JPEG. */
export async function drawJpeg(seed: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(96, 96);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, 96, 96);
  context.fillStyle = `hsl(0 0% ${35 + seed * 12}%)`;
  context.beginPath();
  context.ellipse(48, 48, 20 + seed * 5, 38 - seed * 4, seed * 0.6, 0, 2 * Math.PI);
  context.fill();
  context.fillStyle = '#fff';
  context.beginPath();
  context.arc(30 + seed * 9, 40 + ((seed * 17) % 25), 5 + seed, 0, 2 * Math.PI);
  context.fill();
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

/** Four images (local ids 20000-20003) and three pairs: (20000, 20001), (20000, 20002), (20002, 20003). */
export async function generatedBenchmark(): Promise<{ dataset: MediConfusionDataset; json: string; images: GeneratedImage[] }> {
  const images: GeneratedImage[] = [];
  for (let k = 0; k < 4; k++) images.push({ localId: 20000 + k, sourcePath: `roco/train/PMC${100 + k}.jpg`, jpeg: await drawJpeg(k) });
  const pair = (i: number, j: number, clip: number, dino: number, correct1: 'A' | 'B'): MediConfusionPair => ({
    im_1: images[i].sourcePath,
    im_2: images[j].sourcePath,
    im_1_local: images[i].localId,
    im_2_local: images[j].localId,
    cap_1: `Caption of image ${images[i].localId}.`,
    cap_2: `Caption of image ${images[j].localId}.`,
    category_1: ['Cerebral'],
    category_2: ['Vascular'],
    BiomedCLIP_sim: clip,
    DINO_sim: dino,
    question: `Is the lesion in pair ${i}${j} enhancing?`,
    option_A: 'Yes',
    option_B: 'No',
    im_1_correct: correct1,
    im_2_correct: correct1 === 'A' ? 'B' : 'A',
    AI_question: `Draft question ${i}${j}`,
    AI_option_A: 'Draft yes',
    AI_option_B: 'Draft no',
  });
  const dataset: MediConfusionDataset = {
    '10001': pair(0, 1, 0.9312, 0.6125, 'A'),
    '10002': pair(0, 2, 0.9101, 0.5533, 'B'),
    '10003': pair(2, 3, 0.9456, 0.7012, 'A'),
  };
  return { dataset, json: datasetToJson(dataset), images };
}

/** An app on a fresh database with the fixture encoders (tiny, deterministic, meaningless), booted. */
export async function fixtureApp(storeName = uniqueDbName('imported')): Promise<{ app: ExplorerApp; dbName: string }> {
  const app = new ExplorerApp();
  await app.boot({ encoders: ['fixture-clip', 'fixture-dino'], storeName });
  return { app, dbName: storeName };
}

/** Stops an app's work and reactions and closes its store (tests end with it). */
export function closeApp(app: ExplorerApp): void {
  app.cancel();
  app.dispose();
  if (app.ready) app.store.close();
}

/**
 * Similarities of two items from their stored embeddings, by the one rule the miner applies
 * (rows normalised, float64 dot, rounded to float32: `pairSimilarity`), so the values shown for a
 * pair can be compared exactly; each is checked against a float64 cosine computed here.
 */
export async function storedSimilarity(app: ExplorerApp, a: string, b: string): Promise<{ clip: number; dino: number }> {
  const store = app.store;
  const vector = async (sha: string, id: string) => {
    const record = await store.embeddings.get(sha, id, revisionKeyOf(id)!);
    if (!record) throw new Error(`no ${id} embedding stored for ${sha}`);
    return record.vector;
  };
  const similarity = async (id: string) => {
    const [x, y] = [await vector(a, id), await vector(b, id)];
    const data = new Float32Array(x.length * 2);
    data.set(x, 0);
    data.set(y, x.length);
    const value = pairSimilarity(normalizeRows({ rows: 2, dim: x.length, data }), 0, 1);
    const reference = cosine(x, y);
    if (!(Math.abs(value - reference) < 1e-6)) throw new Error(`${id}: the mining rule gives ${value}, a float64 cosine ${reference}`);
    return value;
  };
  return { clip: await similarity('fixture-clip'), dino: await similarity('fixture-dino') };
}

/** Lower-case hex SHA-256 of bytes, computed here as an independent reference. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
