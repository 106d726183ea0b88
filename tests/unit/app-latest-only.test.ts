import { describe, expect, it } from 'vitest';
import { LatestOnly } from '../../src/app/latest-only.ts';

describe('latest-only requests', () => {
  it('a burst costs one request in flight plus one waiting, and the last request always runs', async () => {
    const sent: number[] = [];
    const delivered: number[] = [];
    let release: (() => void) | null = null;
    const scheduler = new LatestOnly<number, number>(
      (q) => {
        sent.push(q);
        return new Promise((resolve) => (release = () => resolve(q * 10)));
      },
      (r) => delivered.push(r),
      (e) => {
        throw e;
      },
    );
    for (let q = 1; q <= 50; q++) scheduler.request(q);
    expect(sent).toEqual([1]);
    release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([1, 50]);
    release!();
    await scheduler.idle();
    expect(delivered).toEqual([10, 500]);
    expect(scheduler.sent).toBe(2);
  });

  it('a failed request reports its error and the waiting one still runs', async () => {
    const errors: unknown[] = [];
    const delivered: number[] = [];
    const scheduler = new LatestOnly<number, number>(
      async (q) => {
        if (q === 1) throw new Error('boom');
        return q;
      },
      (r) => delivered.push(r),
      (e) => errors.push(e),
    );
    scheduler.request(1);
    scheduler.request(2);
    await scheduler.idle();
    expect(errors).toHaveLength(1);
    expect(delivered).toEqual([2]);
  });
});
