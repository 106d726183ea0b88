/**
 * Child process of bench/kernel-profile.ts: onnxruntime-web's WASM build prints its operator
 * profile (Chrome trace JSON) straight to file descriptor 1 instead of returning it, so the
 * profile is taken in a process of its own whose stdout is the profile.
 * Usage: node --import tsx bench/wasm-profile-child.ts MODEL.onnx RUNS
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

const [modelPath, runsArg] = process.argv.slice(2);
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(readFileSync(modelPath), { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableProfiling: true });
const pixels = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.00037) * 1.7);
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, [1, 3, 224, 224]) };
for (let i = 0; i < Number(runsArg); i++) await session.run(feeds);
session.endProfiling();
await session.release();
