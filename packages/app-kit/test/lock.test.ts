import { describe, expect, it } from 'vitest';
import { withLock } from '../src/lock.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('withLock', () => {
  it('runs holders of one name one after another, and other names alongside', async () => {
    const log: string[] = [];
    const hold = (name: string, id: string) =>
      withLock(name, async () => {
        log.push(`${id}+`);
        await tick();
        log.push(`${id}-`);
        return id;
      });
    const results = await Promise.all([hold('a', 'a1'), hold('a', 'a2'), hold('b', 'b1')]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });

  it('passes a failure to its caller and lets the next holder run', async () => {
    const failed = withLock('c', () => Promise.reject(new Error('boom')));
    const next = withLock('c', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
