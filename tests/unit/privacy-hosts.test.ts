import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODEL_HOSTS, classifyOrigin, isAllowedOrigin, matchesHostSource } from '../../src/privacy/hosts.ts';

const app = 'http://127.0.0.1:4173';

describe('matchesHostSource', () => {
  it('matches exact hosts by scheme, host and port', () => {
    expect(matchesHostSource('https://huggingface.co', 'https://huggingface.co')).toBe(true);
    expect(matchesHostSource('http://huggingface.co', 'https://huggingface.co')).toBe(false);
    expect(matchesHostSource('https://huggingface.co:8443', 'https://huggingface.co')).toBe(false);
    expect(matchesHostSource('https://www.huggingface.co', 'https://huggingface.co')).toBe(false);
  });

  it('matches wildcards on whole subdomain labels only', () => {
    expect(matchesHostSource('https://us.aws.cdn.hf.co', 'https://*.cdn.hf.co')).toBe(true);
    expect(matchesHostSource('https://aws.cdn.hf.co', 'https://*.cdn.hf.co')).toBe(true);
    expect(matchesHostSource('https://cdn.hf.co', 'https://*.cdn.hf.co')).toBe(false);
    expect(matchesHostSource('https://evilcdn.hf.co', 'https://*.cdn.hf.co')).toBe(false);
    expect(matchesHostSource('https://aws.cdn.hf.co.evil.example', 'https://*.cdn.hf.co')).toBe(false);
  });

  it('rejects malformed origins', () => {
    expect(matchesHostSource('not a url', 'https://huggingface.co')).toBe(false);
  });
});

describe('classifyOrigin', () => {
  it('separates the app, the model hosts and everything else', () => {
    expect(classifyOrigin(app, app)).toBe('self');
    expect(classifyOrigin('https://huggingface.co', app)).toBe('model-host');
    expect(classifyOrigin('https://cas-bridge.xethub.hf.co', app)).toBe('model-host');
    expect(classifyOrigin('https://cdn.jsdelivr.net', app)).toBe('unexpected');
    expect(classifyOrigin('http://127.0.0.1:5173', app)).toBe('unexpected');
    expect(isAllowedOrigin('https://transfer.xethub.hf.co', app)).toBe(false);
  });

  it('allows every listed host and no look-alike of it', () => {
    const exact = MODEL_HOSTS.filter((host) => !host.includes('*'));
    fc.assert(
      fc.property(fc.constantFrom(...exact), fc.stringMatching(/^[a-z0-9-]{1,12}$/), (host, label) => {
        const url = new URL(host);
        expect(isAllowedOrigin(host, app)).toBe(true);
        expect(isAllowedOrigin(`https://${label}${url.hostname}`, app)).toBe(false);
        expect(isAllowedOrigin(`https://${url.hostname}.${label}.example`, app)).toBe(false);
      }),
    );
  });
});
