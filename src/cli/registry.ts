/**
 * One line per subcommand; each lives in src/cli/commands/<name>.ts and is loaded lazily so
 * `--help` stays instant. The entry (main.ts) imports this table; nothing here imports the entry.
 */
import type { CliCommand } from './command.ts';

export type CommandLoader = () => Promise<{ command: CliCommand }>;

export const COMMANDS: Readonly<Record<string, CommandLoader>> = {
  fixtures: () => import('./commands/fixtures.ts'),
  'convert-biomedclip': () => import('./commands/convert-biomedclip.ts'),
  score: () => import('./commands/score.ts'),
  mine: () => import('./commands/mine.ts'),
  preprocess: () => import('./commands/preprocess.ts'),
  embed: () => import('./commands/embed.ts'),
  'merge-pairs': () => import('./commands/merge-pairs.ts'),
  'fetch-benchmark-images': () => import('./commands/fetch-benchmark-images.ts'),
  probe: () => import('./commands/probe.ts'),
};
