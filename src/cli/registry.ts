/** One line per subcommand; each lives in src/cli/commands/<name>.ts. */
import { registerCommand } from './main.ts';

registerCommand('fixtures', () => import('./commands/fixtures.ts'));
registerCommand('convert-biomedclip', () => import('./commands/convert-biomedclip.ts'));
registerCommand('score', () => import('./commands/score.ts'));
registerCommand('mine', () => import('./commands/mine.ts'));
registerCommand('preprocess', () => import('./commands/preprocess.ts'));
registerCommand('embed', () => import('./commands/embed.ts'));
registerCommand('merge-pairs', () => import('./commands/merge-pairs.ts'));
