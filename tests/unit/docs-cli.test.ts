import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_DOC_PATH, commandNames, renderCliReference, runCli } from '../../scripts/docs-cli.ts';

/**
 * The option entries of a help text: each starts with `  --name` under "Options:" and runs on
 * over deeper-indented continuation lines, up to the first blank line.
 */
function optionEntries(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Options:');
  if (start < 0) return [];
  const entries: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    if (/^\s{1,4}--/.test(line)) entries.push(line.trim());
    else if (entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

describe('docs/cli.md', () => {
  it('is what scripts/docs-cli.ts generates from the current help texts', async () => {
    const expected = await renderCliReference();
    let current = '';
    try {
      current = readFileSync(CLI_DOC_PATH, 'utf8');
    } catch {
      // Reported by the assertion below.
    }
    expect(current, 'docs/cli.md is stale: run `npx tsx scripts/docs-cli.ts` and commit docs/cli.md.').toBe(expected);
  });

  it('has a section for every registered command', async () => {
    const doc = readFileSync(CLI_DOC_PATH, 'utf8');
    const names = await commandNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(doc, name).toContain(`## mediconfusion ${name}\n`);
  });
});

describe('every subcommand --help', () => {
  it('has a usage line, options with their defaults and an example that runs this command', async () => {
    for (const name of await commandNames()) {
      const run = await runCli([name, '--help']);
      expect(run.code, name).toBe(0);
      const help = run.stdout;
      expect(help, name).toMatch(new RegExp(`^Usage: mediconfusion ${name}\\b`));
      const options = optionEntries(help);
      expect(options.length, `${name} lists no options under "Options:"`).toBeGreaterThan(0);
      for (const entry of options) {
        // A required option has no default by definition; "(required)" tells the reader so.
        expect(entry, `${name}: the option entry "${entry}" states neither its default nor that it is required`).toMatch(
          /\bdefault\b|\brequired\b/i,
        );
      }
      const example = help.slice(help.search(/^Example/m));
      expect(example, `${name} has no Example section`).toMatch(/^Example/);
      expect(example, `${name}'s example does not run \`mediconfusion ${name}\``).toMatch(new RegExp(`npx mediconfusion ${name}\\b`));
    }
  });

  it('the option parser helper reads continuation lines and stops at the blank line', () => {
    const help = ['Usage: mediconfusion x', '', 'Options:', '  --a N   first', '          (default: 1)', '  --b     second (required; no default)', '', '  --c  not an option entry'].join('\n');
    expect(optionEntries(help)).toEqual(['--a N   first (default: 1)', '--b     second (required; no default)']);
    expect(optionEntries('Usage: none')).toEqual([]);
  });
});
