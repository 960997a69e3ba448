import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../src/modules/auth/auth.password.js';

describe('scrypt passwords', () => {
  it('verify the right password and refuse a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', 12);
    expect(stored.params).toEqual({ log2N: 12, r: 8, p: 1 });
    expect(stored.salt).toHaveLength(16);
    expect(stored.hash).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salt every hash, and verify with the parameters stored alongside', async () => {
    const a = await hashPassword('same password', 12);
    const b = await hashPassword('same password', 12);
    expect(Buffer.from(a.hash).equals(Buffer.from(b.hash))).toBe(false);
    expect(
      await verifyPassword('same password', { ...a, params: { ...a.params, log2N: 13 } }),
    ).toBe(false);
  });

  it('treat composed and decomposed Unicode the same (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9-password', 12);
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it('hash at the production cost N = 2^15 (maxmem is large enough)', async () => {
    const stored = await hashPassword('production cost', 15);
    expect(await verifyPassword('production cost', stored)).toBe(true);
  });

  it('refuse stored parameters outside the bounds', async () => {
    const stored = await hashPassword('bounded', 12);
    await expect(
      verifyPassword('bounded', { ...stored, params: { log2N: 30, r: 8, p: 1 } }),
    ).rejects.toThrow(RangeError);
  });
});
