#!/usr/bin/env node
// Runs the TypeScript CLI directly from the checkout (tsx is a dev dependency installed by npm ci).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
