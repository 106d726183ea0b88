import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.ts';

const capture = (argv: string[]) => runCli(argv);

describe('mediconfusion CLI', () => {
  it('lists its commands with --help', async () => {
    const { code, out } = await capture(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: mediconfusion <command>/);
    expect(out).toMatch(/fixtures/);
  });

  it('every command has help with an example', async () => {
    const { commands } = await import('../../src/cli/main.ts');
    for (const name of Object.keys(commands)) {
      const { code, out } = await capture([name, '--help']);
      expect(code, name).toBe(0);
      expect(out, name).toMatch(/Usage: mediconfusion/);
      expect(out, name).toMatch(/Example/);
    }
  });

  it('names an unknown command and says what to do', async () => {
    const { code, err } = await capture(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown command "frobnicate"/);
  });
});
