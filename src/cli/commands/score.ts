import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseAnswers } from '../../core/benchmark/answers.ts';
import { parseDatasetJson, type MediConfusionDataset } from '../../core/benchmark/dataset.ts';
import { ImportError } from '../../core/benchmark/errors.ts';
import { scoreAnswers } from '../../core/benchmark/score.ts';
import { readBenchmarkZip } from '../../core/benchmark/zip.ts';
import { messageOf } from '../../core/errors.ts';

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new UsageError(`Cannot read the ${what} file "${path}": ${reason}. Check the path.`);
  }
}

function loadBenchmark(path: string): MediConfusionDataset {
  const bytes = readFile(path, 'benchmark');
  if (path.toLowerCase().endsWith('.zip')) {
    const { dataset, notes } = readBenchmarkZip(new Uint8Array(bytes), basename(path));
    // Scoring needs only dataset.json, but ignored or damaged entries are still worth knowing.
    for (const note of notes) console.error(`Note: ${note}`);
    return dataset;
  }
  return parseDatasetJson(bytes.toString('utf8'), path);
}

export const command: CliCommand = {
  summary: 'Score a model\'s answers on a MediConfusion-format benchmark (set accuracy, confusion, …)',
  help: `Usage: mediconfusion score --benchmark FILE --answers FILE [--compact]

Scores answers against a benchmark and prints JSON with fractions in [0, 1]:
{"individual_accuracy", "set_accuracy", "confusion", "invalid_rate", "per_category": {…},
 "random_guess", "counts", "unknown_answer_ids"}.
Definitions follow MediConfusion's evaluation code: individual accuracy = correct answers / all
answers; set accuracy = pairs with both answers correct / pairs; confusion = pairs whose two
valid answers are the same / pairs with both answers valid; invalid rate = invalid answers / all
answers. Only "A" and "B" are valid answers; a pair missing from the answers counts as invalid.
Per category, each image carrying the category counts once (as MediConfusion groups them).

Options:
  --benchmark FILE   dataset.json, or a benchmark zip holding dataset.json (required; no default)
  --answers FILE     answers as JSON {"10001": {"im1": "A", "im2": "B"}, …} or CSV with the
                     header id,im1,im2 (required; no default)
  --compact          print the JSON on one line (default: off, indented)

Exit codes: 0 scored, 1 a file is malformed (the message names the file and first bad field),
2 bad options or unreadable file.

Example:
  npx mediconfusion score --benchmark dataset.json --answers answers.json`,
  async run(argv) {
    let values: { benchmark?: string; answers?: string; compact?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          benchmark: { type: 'string' },
          answers: { type: 'string' },
          compact: { type: 'boolean', default: false },
        },
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError(`${messageOf(error)}. Run \`mediconfusion score --help\`.`);
    }
    if (!values.benchmark) throw new UsageError('Missing --benchmark FILE (the dataset.json to score against).');
    if (!values.answers) throw new UsageError('Missing --answers FILE (the model\'s answers, JSON or CSV).');
    try {
      const dataset = loadBenchmark(values.benchmark);
      const answers = parseAnswers(readFile(values.answers, 'answers').toString('utf8'), values.answers);
      const report = scoreAnswers(dataset, answers);
      if (report.unknown_answer_ids.length > 0) {
        const shown = report.unknown_answer_ids.slice(0, 5).join(', ');
        console.error(
          `Note: ${report.unknown_answer_ids.length} answer id(s) are not pairs of the benchmark and were ignored (${shown}${report.unknown_answer_ids.length > 5 ? ', …' : ''}).`,
        );
      }
      console.log(JSON.stringify(report, null, values.compact ? undefined : 2));
      return 0;
    } catch (error) {
      if (error instanceof ImportError) {
        console.error(`${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
