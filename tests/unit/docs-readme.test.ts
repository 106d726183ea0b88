import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandNames, runCli } from '../../scripts/docs-cli.ts';
import { ENCODERS } from '../../src/core/encoders/registry.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** README.md, and the sections waiting to be pasted into it (they must pass before and after). */
const DOCUMENTS = ['README.md', 'docs/README-sections.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(root, f)));
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/** Shell-like lines from fenced code blocks and inline code spans, with trailing `# comments` removed. */
function commandLines(markdown: string): string[] {
  const lines: string[] = [];
  const fence = /^```[^\n]*\n([\s\S]*?)^```/gm;
  for (const match of markdown.matchAll(fence)) lines.push(...match[1].split('\n'));
  const prose = markdown.replace(fence, '');
  for (const match of prose.matchAll(/`([^`\n]+)`/g)) lines.push(match[1]);
  return lines
    .map((l) => l.replace(/^\$\s+/, '').replace(/\s+#.*$/, '').trim())
    .filter((l) => /^(npx mediconfusion|npm )/.test(l));
}

interface CliExample {
  document: string;
  line: string;
  command: string;
  flags: string[];
}

function cliExamples(document: string, markdown: string): CliExample[] {
  return commandLines(markdown)
    .filter((l) => l.startsWith('npx mediconfusion '))
    .map((line) => {
      const words = line.split(/\s+/).slice(2);
      return { document, line, command: words[0] ?? '', flags: words.filter((w) => w.startsWith('--')).map((w) => w.split('=')[0]) };
    })
    // `<command>` and friends are placeholders, not examples.
    .filter((e) => !e.command.startsWith('<'));
}

const documents = DOCUMENTS.map((name) => ({ name, text: readFileSync(join(root, name), 'utf8') }));

describe('commands documented in README.md and docs/README-sections.md', () => {
  it('finds the documents and the Quick start commands', () => {
    expect(DOCUMENTS).toContain('README.md');
    const readme = documents.find((d) => d.name === 'README.md')!.text;
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    expect(readme).toContain('## Quick start');
    const block = /```[^\n]*\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
    const commands = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(commands.length, 'the Quick start block has no commands').toBeGreaterThan(0);
    for (const command of commands) {
      for (const part of command.split('&&').map((p) => p.trim())) {
        const [tool, sub, name] = part.split(/\s+/);
        expect(tool, part).toBe('npm');
        if (sub === 'ci' || sub === 'install') continue;
        const script = sub === 'run' ? name : sub;
        expect(scripts, `Quick start runs "${part}", but package.json has no "${script}" script`).toContain(script);
      }
    }
  });

  it('every `npm run` names a package.json script, and `npm run models` names downloadable encoders', () => {
    const downloadable = ENCODERS.filter((e) => e.source.kind === 'hub' || e.id === 'biomedclip').map((e) => e.id);
    for (const { name, text } of documents) {
      for (const line of commandLines(text)) {
        const run = /^npm run ([\w:.-]+)(?:\s+--\s+(.*))?/.exec(line);
        if (!run) continue;
        expect(scripts, `${name}: "${line}" runs a script package.json does not have`).toContain(run[1]);
        if (run[1] === 'models' && run[2]) {
          for (const id of run[2].split(/\s+/).filter((w) => w && !w.startsWith('-') && !/^(fp32|fp16|q8)$/.test(w))) {
            if (id.startsWith('<') || id === '...' || id.includes('/')) continue;
            expect(downloadable, `${name}: "${line}" names "${id}", which \`npm run models\` cannot download`).toContain(id);
          }
        }
      }
    }
  });

  it('every `npx mediconfusion` example names a registered command, whose --help exits 0 and lists the flags used', async () => {
    const registered = await commandNames();
    const examples = documents.flatMap((d) => cliExamples(d.name, d.text));
    expect(examples.length, 'no `npx mediconfusion` examples found').toBeGreaterThan(0);
    const helps = new Map<string, string>();
    for (const example of examples) {
      if (example.command === '--help' || example.command === '-h') continue;
      expect(registered, `${example.document}: "${example.line}" uses the unknown command "${example.command}"`).toContain(example.command);
      if (!helps.has(example.command)) {
        const run = await runCli([example.command, '--help']);
        expect(run.code, `${example.command} --help`).toBe(0);
        helps.set(example.command, run.stdout);
      }
      const help = helps.get(example.command)!;
      for (const flag of example.flags) {
        if (flag === '--help') continue;
        expect(help, `${example.document}: "${example.line}" passes ${flag}, which \`${example.command} --help\` does not list`).toMatch(
          new RegExp(`${flag}\\b`),
        );
      }
    }
  });

  it('the top-level --help runs and lists every command documented', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const documented = new Set(documents.flatMap((d) => cliExamples(d.name, d.text)).map((e) => e.command).filter((c) => !c.startsWith('-')));
    for (const command of documented) expect(run.stdout, command).toContain(`  ${command} `);
  });

  it('the parser finds commands in fences and inline code and skips placeholders', () => {
    const markdown = ['Run `npx mediconfusion --help` or `npx mediconfusion <command> --help`.', '```sh', '$ npx mediconfusion mine --clip a.npy   # comment', 'npm run bench -- --quick', '```'].join('\n');
    expect(commandLines(markdown).sort()).toEqual(['npm run bench -- --quick', 'npx mediconfusion --help', 'npx mediconfusion <command> --help', 'npx mediconfusion mine --clip a.npy'].sort());
    expect(cliExamples('x', markdown).map((e) => [e.command, e.flags])).toEqual([
      ['mine', ['--clip']],
      ['--help', ['--help']],
    ]);
  });
});
