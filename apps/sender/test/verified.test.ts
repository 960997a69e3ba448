import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  encodeRevocationList,
  signRevocationList,
  verifyCertificate,
  verifyRevocationList,
} from '@offpay/protocol';
import type { Vault } from '@offpay/app-kit';
import type * as Crypto from '@offpay/crypto';
import type * as Protocol from '@offpay/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  pinnedBankKeys,
  publicKeyOf,
  verifiedCertificate,
  verifiedRevocations,
} from '../src/state/verified.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { refreshFromBank } from '../src/state/wallet.js';
import { NOW, NOW_MS, Receiver, enrolledWallet, issuePayer, makeBank } from './helpers.js';

// The real functions, watched: the memos must save calls, and only for bytes seen before.
vi.mock('@offpay/protocol', async (original) => {
  const real = await original<typeof Protocol>();
  return {
    ...real,
    verifyCertificate: vi.fn(real.verifyCertificate),
    verifyRevocationList: vi.fn(real.verifyRevocationList),
  };
});
vi.mock('@offpay/crypto', async (original) => {
  const real = await original<typeof Crypto>();
  return { ...real, getPublicKey: vi.fn(real.getPublicKey) };
});

const bank = makeBank();
const keys = pinnedBankKeys([bank.signPk]);
const aVault = (): Vault => ({
  secret: () => undefined,
  replace: () => Promise.resolve(),
  lock() {},
});

beforeEach(() => vi.clearAllMocks());

describe('verifiedCertificate', () => {
  it('verifies given bytes once, and any other bytes or keys again', () => {
    const { bytes } = issuePayer(bank, generateSecretKey());
    const first = verifiedCertificate(bytes, keys);
    expect(verifiedCertificate(bytes.slice(), keys)).toBe(first);
    expect(verifyCertificate).toHaveBeenCalledTimes(1);

    const other = issuePayer(bank, generateSecretKey());
    expect(verifiedCertificate(other.bytes, keys).serial).toBe(other.cert.serial);
    expect(verifyCertificate).toHaveBeenCalledTimes(2);

    expect(() => verifiedCertificate(bytes, pinnedBankKeys([makeBank().signPk]))).toThrow(
      expect.objectContaining({ code: 'PROTO_UNKNOWN_ISSUER' }),
    );
    const forged = bytes.slice();
    forged[forged.length - 1]! ^= 1;
    expect(() => verifiedCertificate(forged, keys)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^PROTO_/) }),
    );
    expect(verifyCertificate).toHaveBeenCalledTimes(4);
  });
});

describe('verifiedRevocations', () => {
  const signed = (seq: number, serials: number[], signer = bank) =>
    encodeRevocationList(signRevocationList({ seq, issuedAt: NOW, serials }, signer.signSk));

  it('decodes a list once per seq and bytes; a new or forged list is verified', () => {
    const one = signed(1, [7, 9]);
    const checked = verifiedRevocations(1, one, keys);
    expect([...checked.revoked]).toEqual([7, 9]);
    expect(verifiedRevocations(1, one.slice(), keys)).toBe(checked);
    expect(verifyRevocationList).toHaveBeenCalledTimes(1);

    expect([...verifiedRevocations(2, signed(2, [11]), keys).revoked]).toEqual([11]);
    expect(() => verifiedRevocations(1, signed(1, [], makeBank()), keys)).toThrow(
      expect.objectContaining({ code: 'PROTO_UNKNOWN_ISSUER' }),
    );
    expect(verifyRevocationList).toHaveBeenCalledTimes(3);
  });
});

describe('publicKeyOf', () => {
  it('multiplies once per key and vault, and follows a replaced key', () => {
    const vault = aVault();
    const a = generateSecretKey();
    const b = generateSecretKey();
    const expected = { a: getPublicKey(a), b: getPublicKey(b) };
    vi.mocked(getPublicKey).mockClear();
    expect(publicKeyOf(vault, a)).toEqual(expected.a);
    expect(publicKeyOf(vault, a.slice())).toEqual(expected.a);
    expect(getPublicKey).toHaveBeenCalledTimes(1);
    expect(publicKeyOf(vault, b)).toEqual(expected.b);
    expect(publicKeyOf(aVault(), a)).toEqual(expected.a);
    expect(getPublicKey).toHaveBeenCalledTimes(3);
  });
});

describe('the payment path', () => {
  it('checks the wallet’s certificate, key and revocation list once, not on every payment', async () => {
    const { db, vault, cert } = await enrolledWallet(bank);
    const list = signRevocationList({ seq: 4, issuedAt: NOW, serials: [] }, bank.signSk);
    await refreshFromBank(db, {
      revocations: () =>
        Promise.resolve({ seq: 4, signed: encodeRevocationList(list), bankTime: NOW }),
    });
    const bob = new Receiver(bank);
    const pay = async () => {
      const p = await preparePayment(db, vault, bob.request(100), { nowMs: NOW_MS });
      if (p.kind !== 'new') throw new Error('expected a new payment');
      return commitPayment(db, vault, p, { nowMs: NOW_MS });
    };
    await pay();
    vi.clearAllMocks();
    const item = await pay();
    expect(item).toMatchObject({ serial: cert.serial, counter: 2 });
    // The payee's certificate is checked with its request; the wallet's own is not again.
    expect(vi.mocked(verifyCertificate).mock.calls.map(([c]) => c.kind)).not.toContain('payer');
    expect(verifyRevocationList).not.toHaveBeenCalled();
  });
});
