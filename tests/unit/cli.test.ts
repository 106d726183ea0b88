import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

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
