import { equalBytes, generateSecretKey, getPublicKey } from '@offpay/crypto';
import { encodeRevocationList, signRevocationList } from '@offpay/protocol';
import {
  BankRefusal,
  backupFile,
  describeError,
  exportBackup,
  lastBankTime,
  refreshRevocations,
  unlockVault,
  type RevocationsInfo,
} from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { completeEnrollment, enrollWallet, enrollmentKey } from '../src/state/enroll.js';
import { listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { PAYER_KEY, type WalletDb } from '../src/db.js';
import {
  loadEnrolled,
  overview,
  restoreWallet,
  setupWallet,
  storedChain,
  walletStatus,
} from '../src/state/wallet.js';
import {
  DAY,
  ITERATIONS,
  NOW,
  NOW_MS,
  PASSPHRASE,
  Receiver,
  enrollLocally,
  enrolledWallet,
  enrollingBank,
  freshDb,
  issuePayer,
  makeBank,
  strangerKeys,
} from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);
const pinned = { signKeys: [bank.signPk], kemKey: bank.kemPk };

function revocations(seq: number, serials: number[], signer = bank): RevocationsInfo {
  const list = signRevocationList({ seq, issuedAt: NOW + seq, serials }, signer.signSk);
  return { seq, signed: encodeRevocationList(list), bankTime: NOW + seq };
}

describe('setup and enrollment', () => {
  it('a new wallet is not enrolled and cannot pay', async () => {
    const db = await freshDb();
    const vault = await setupWallet(db, PASSPHRASE, 'https://bank.example', {
      iterations: ITERATIONS,
    });
    expect(await walletStatus(db)).toBe('notEnrolled');
    await expect(
      preparePayment(db, vault, bob.request(100), { nowMs: NOW_MS }),
    ).rejects.toMatchObject({
      code: 'APP_NOT_ENROLLED',
    });
  });

  it('refuses a too short passphrase', async () => {
    await expect(
      setupWallet(await freshDb(), 'short', 'https://bank.example', { iterations: ITERATIONS }),
    ).rejects.toMatchObject({ code: 'APP_PASSPHRASE_TOO_SHORT' });
  });

  it('enrolls the key made at setup the first time', async () => {
    const db = await freshDb();
    const vault = await setupWallet(db, PASSPHRASE, 'https://bank.example', {
      iterations: ITERATIONS,
    });
    const setupKey = vault.secret(PAYER_KEY)!;
    const cert = await enrollLocally(db, vault, bank);
    expect(equalBytes(cert.signKey, getPublicKey(setupKey))).toBe(true);
    expect(await walletStatus(db)).toBe('enrolled');
  });

  it('refuses a certificate for another key or from a bank that is not pinned, storing nothing', async () => {
    const db = await freshDb();
    const vault = await setupWallet(db, PASSPHRASE, 'https://bank.example', {
      iterations: ITERATIONS,
    });
    const secretKey = await enrollmentKey(db, vault);
    const other = issuePayer(bank, generateSecretKey());
    await expect(
      completeEnrollment(db, vault, { secretKey, certificate: other.bytes, pinned }),
    ).rejects.toMatchObject({ code: 'APP_BANK_RESPONSE' });
    const rogue = issuePayer(makeBank(), secretKey);
    await expect(
      completeEnrollment(db, vault, { secretKey, certificate: rogue.bytes, pinned }),
    ).rejects.toMatchObject({ code: 'PROTO_UNKNOWN_ISSUER' });
    expect(await storedChain(db)).toBeUndefined();
  });

  it('renewing enrolls a new key, starts a new chain and keeps the history', async () => {
    const { db, vault, cert } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    await commitPayment(db, vault, p, { nowMs: NOW_MS });
    const renewed = await enrollLocally(db, vault, bank);
    expect(equalBytes(renewed.signKey, cert.signKey)).toBe(false);
    expect(renewed.serial).not.toBe(cert.serial);
    const o = await overview(db, vault, NOW);
    expect((await loadEnrolled(db, vault)).chain.counter).toBe(0);
    expect(o.remaining.toString()).toBe('20.00 EUR');
    expect(await listHistory(db)).toHaveLength(1);
  });
});

describe('enrollment with the bank’s key set', () => {
  const form = { email: 'alice@example.com', password: 'pw', allowance: '20.00' };

  async function newWallet(): Promise<{
    db: WalletDb;
    vault: Awaited<ReturnType<typeof setupWallet>>;
  }> {
    const db = await freshDb();
    const vault = await setupWallet(db, PASSPHRASE, 'https://bank.example', {
      iterations: ITERATIONS,
    });
    return { db, vault };
  }

  it('a bank with many signing keys (up to 256) enrolls the wallet, which then reads as enrolled', async () => {
    const { db, vault } = await newWallet();
    const client = enrollingBank(bank, [...strangerKeys(99), bank.signPk]);
    const { cert } = await enrollWallet(db, vault, client, form);
    expect(await walletStatus(db)).toBe('enrolled');
    expect((await loadEnrolled(db, vault)).cert.serial).toBe(cert.serial);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    expect(p.kind).toBe('new');
    expect(client.calls.filter((c) => c === 'enrollPayer')).toHaveLength(1);
  });

  it('"Not enough money" says how much the account has, in the allowance’s currency', async () => {
    const { db, vault } = await newWallet();
    const client = enrollingBank(bank, [bank.signPk]);
    client.enrollPayer = () =>
      Promise.reject(
        new BankRefusal('BANK_INSUFFICIENT_FUNDS', 'short', 409, {
          accountId: 'a',
          balanceMinor: '1000',
          requiredMinor: '2000',
        }),
      );
    const refused = await enrollWallet(db, vault, client, form).catch((e: unknown) => e);
    expect(describeError(refused)).toEqual({
      code: 'BANK_INSUFFICIENT_FUNDS',
      title: 'Not enough money',
      text: 'You have 10.00 EUR available at the bank, and this needs 20.00 EUR. Choose 10.00 EUR or less, or add money first.',
    });
    expect(await walletStatus(db)).toBe('notEnrolled');
  });

  it('keys the wallet could not keep are refused before signing in: no allowance is reserved', async () => {
    const { db, vault } = await newWallet();
    const client = enrollingBank(bank, [...strangerKeys(256), bank.signPk]);
    await expect(enrollWallet(db, vault, client, form)).rejects.toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
    expect(client.calls).toEqual(['keys']);
    expect(await walletStatus(db)).toBe('notEnrolled');
  });
});

describe('a stale Setup tab', () => {
  it('does not set up over a wallet made in another tab meanwhile', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const key = vault.secret(PAYER_KEY)!;
    await expect(
      setupWallet(db, 'another passphrase', 'https://bank.example', { iterations: ITERATIONS }),
    ).rejects.toMatchObject({ code: 'APP_SET_UP_ELSEWHERE' });
    const reopened = await unlockVault(db, PASSPHRASE);
    expect(equalBytes(reopened.secret(PAYER_KEY)!, key)).toBe(true);
    expect(await walletStatus(db)).toBe('enrolled');
  });

  it('does not restore a backup over a wallet made in another tab meanwhile', async () => {
    const other = await enrolledWallet(bank);
    const text = await exportBackup(other.db, other.vault, PASSPHRASE, 'sender', {
      iterations: ITERATIONS,
    });
    const { db, vault } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    await commitPayment(db, vault, p, { nowMs: NOW_MS });
    await expect(
      restoreWallet(db, text, PASSPHRASE, { iterations: ITERATIONS }),
    ).rejects.toMatchObject({ code: 'APP_SET_UP_ELSEWHERE' });
    expect(await walletStatus(db)).toBe('enrolled');
    expect(await listHistory(db)).toHaveLength(1);
    expect((await loadEnrolled(db, vault)).chain.counter).toBe(1);
  });
});

describe('backupFile', () => {
  it('refuses a passphrase that does not open the wallet, and backs up under the right one', async () => {
    const { db, vault } = await enrolledWallet(bank);
    await expect(
      backupFile(db, vault, 'correct horse battery!', 'sender', { iterations: ITERATIONS }),
    ).rejects.toMatchObject({ code: 'APP_WRONG_PASSPHRASE' });
    const at = { iterations: ITERATIONS, now: () => new Date(2027, 0, 15) };
    const { fileName, text } = await backupFile(db, vault, PASSPHRASE, 'sender', at);
    expect(fileName).toBe('offpay-sender-backup-2027-01-15.json');
    const restored = await restoreWallet(await freshDb(), text, PASSPHRASE, {
      iterations: ITERATIONS,
    });
    expect(restored.secret(PAYER_KEY)).toBeUndefined();
  });
});

describe('overview', () => {
  it('shows the allowance left, what was spent, and suggests renewing within a day of expiry', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000, expiresAt: NOW + 2 * DAY });
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    await commitPayment(db, vault, p, { nowMs: NOW_MS });
    const o = await overview(db, vault, NOW);
    expect([o.remaining.toString(), o.spent.toString(), o.limit.toString()]).toEqual([
      '17.50 EUR',
      '2.50 EUR',
      '20.00 EUR',
    ]);
    expect(o.renewSuggested).toBe(false);
    expect((await overview(db, vault, NOW + DAY + 60)).renewSuggested).toBe(true);
    expect((await overview(db, vault, NOW + 3 * DAY)).expired).toBe(true);
  });
});

describe('refreshRevocations', () => {
  it('keeps a verified revocation list; a revoked wallet is refused and asked to renew', async () => {
    const { db, vault, cert } = await enrolledWallet(bank);
    await refreshRevocations(db, {
      revocations: () => Promise.resolve(revocations(3, [cert.serial])),
    });
    expect((await overview(db, vault, NOW)).revoked).toBe(true);
    expect((await overview(db, vault, NOW)).renewSuggested).toBe(true);
    await expect(
      preparePayment(db, vault, bob.request(100), { nowMs: NOW_MS + 10_000 }),
    ).rejects.toMatchObject({
      code: 'PROTO_CERT_REVOKED',
    });
    expect(await lastBankTime(db)).toBe(NOW + 3);
  });

  it('ignores an older list (a replay) and refuses one signed by another bank', async () => {
    const { db, vault, cert } = await enrolledWallet(bank);
    await refreshRevocations(db, {
      revocations: () => Promise.resolve(revocations(5, [cert.serial])),
    });
    await refreshRevocations(db, { revocations: () => Promise.resolve(revocations(4, [])) });
    expect((await overview(db, vault, NOW)).revoked).toBe(true);
    const rogue = makeBank();
    await expect(
      refreshRevocations(db, { revocations: () => Promise.resolve(revocations(9, [], rogue)) }),
    ).rejects.toMatchObject({ code: 'PROTO_UNKNOWN_ISSUER' });
    expect(await db.get('meta', 'revocations')).toMatchObject({ seq: 5 });
  });
});
