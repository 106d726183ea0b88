/**
 * `mediconfusion` command-line entry. Every subcommand calls the same src/core code as the app.
 */
import { UsageError } from './command.ts';
import { COMMANDS } from './registry.ts';
import { configureNodeCodecs } from './node-codecs.ts';
import { messageOf } from '../core/errors.ts';

/** Subcommands by name (see registry.ts). */
export const commands = COMMANDS;

export async function usage(): Promise<string> {
  const lines = ['Usage: mediconfusion <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(20)} ${command.summary}`);
  }
  lines.push('', 'Run `mediconfusion <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  configureNodeCodecs();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return 0;
  }
  if (name === '--version') {
    console.log('0.1.0');
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`Unknown command "${name}". Run \`mediconfusion --help\` to list the commands.`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    console.error(messageOf(error));
    return 1;
  }
}
