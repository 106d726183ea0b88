/**
 * Runs `mediconfusion ...argv` in this process with its console output captured, for the CLI
 * tests. One capture for every test file: it is the docs generator's (scripts/docs-cli.ts), so
 * the tests see exactly what the reference documents.
 */
import { runCli as runCliCaptured } from '../../scripts/docs-cli.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `quietProgress` also mutes direct writes to stderr (progress lines of long commands). */
export async function runCli(argv: string[], options: { quietProgress?: boolean } = {}): Promise<CliResult> {
  const write = process.stderr.write;
  if (options.quietProgress) process.stderr.write = () => true;
  try {
    const { code, stdout, stderr } = await runCliCaptured(argv);
    return { code, out: stdout, err: stderr };
  } finally {
    process.stderr.write = write;
  }
}
