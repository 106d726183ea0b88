/** Native reference: onnxruntime-node on the CPU with the same graphs and batch sizes. */
import * as ort from 'onnxruntime-node';
import { cpus } from 'node:os';

export interface EmbedTiming {
  batch: number;
  imagesPerSecond: number;
  msPerBatch: number;
}

export function syntheticBatch(batch: number, size = 224): Float32Array {
  const data = new Float32Array(batch * 3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.00037) * 1.7;
  return data;
}

export async function benchEmbedNode(modelPath: string, batches: number[], reps: number): Promise<{ threads: number; timings: EmbedTiming[] }> {
  const threads = cpus().length;
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const input = session.inputNames[0];
  const timings: EmbedTiming[] = [];
  for (const batch of batches) {
    const feeds = { [input]: new ort.Tensor('float32', syntheticBatch(batch), [batch, 3, 224, 224]) };
    await session.run(feeds);
    const start = performance.now();
    for (let r = 0; r < reps; r++) await session.run(feeds);
    const ms = (performance.now() - start) / reps;
    timings.push({ batch, msPerBatch: ms, imagesPerSecond: (batch * 1000) / ms });
  }
  await session.release();
  return { threads, timings };
}
