/** Bank keys on Postgres: created once, persisted, rotated, and never shown. */
import { inspect } from 'node:util';
import {
  concatBytes,
  fromHex,
  isCryptoError,
  kid as kidOf,
  labelBytes,
  seal,
  toBase64Url,
  toHex,
  utf8,
  verify,
} from '@offpay/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/queryable.js';
import { isBankError } from '../../../src/errors.js';
import { createAuditLog } from '../../../src/modules/audit/audit.service.js';
import {
  deriveKeyEncryptionKey,
  openSecret,
  sealedSecretAad,
} from '../../../src/modules/keys/keys.domain.js';
import { createKeyring, type BankKeyring } from '../../../src/modules/keys/keys.service.js';
import { buildTestApp, LogCapture, TEST_KEK_SECRET } from '../../helpers/app.js';
import { createMigratedDatabase, type TestSchema } from '../../helpers/db.js';

let db: Database;
let schema: TestSchema;
let clock = new Date('2030-01-01T00:00:00Z');
const logs = new LogCapture();

beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
});
afterAll(async () => {
  await schema.drop();
});

const keyring = (secret = TEST_KEK_SECRET, acceptSeconds = 3600): Promise<BankKeyring> =>
  createKeyring({
    db,
    keyEncryptionSecret: secret,
    audit: createAuditLog({ now: () => clock }),
    now: () => clock,
    retiredKemAcceptSeconds: acceptSeconds,
  });

/** Every secret the bank holds, decrypted here only to prove it never leaks. */
async function plaintextSecrets(): Promise<string[]> {
  const kek = deriveKeyEncryptionKey(TEST_KEK_SECRET);
  const keys = await db.query<{
    kid: Uint8Array;
    kind: 'sign' | 'kem';
    secret_key_sealed: Uint8Array;
  }>('SELECT kid, kind, secret_key_sealed FROM bank_keys');
  const named = await db.query<{ name: string; sealed: Uint8Array }>(
    'SELECT name, sealed FROM bank_secrets',
  );
  const raw = [
    ...keys.map((k) => openSecret(kek, sealedSecretAad(k), k.secret_key_sealed)),
    ...named.map((s) => openSecret(kek, sealedSecretAad({ name: s.name }), s.sealed)),
  ];
  return raw.flatMap((b) => [toHex(b), toBase64Url(b), Buffer.from(b).toString('base64')]);
}

describe('bank keys', () => {
  it('are created once even when instances start together, and survive a rebuild', async () => {
    const [a, b] = await Promise.all([keyring(), keyring()]);
    expect(toHex(a.current('sign').kid)).toBe(toHex(b.current('sign').kid));
    const rows = await db.query<{ kind: string }>('SELECT kind FROM bank_keys ORDER BY kind');
    expect(rows.map((r) => r.kind)).toEqual(['kem', 'sign']);

    const app = await buildTestApp({ db, logs, now: () => clock });
    const body = (await app.inject('/v1/keys')).json<{
      signKeys: { kid: string; publicKey: string }[];
      kemKeys: { kid: string }[];
    }>();
    await app.close();
    const again = await buildTestApp({ db, logs, now: () => clock });
    const compat = (await again.inject('/bank-public-key')).json<{
      kid: string;
      publicKey: string;
    }>();
    await again.close();
    expect(body.signKeys).toHaveLength(1);
    expect(compat).toEqual({ kid: body.signKeys[0]?.kid, publicKey: body.signKeys[0]?.publicKey });
    expect(compat.kid).toBe(toHex(a.current('sign').kid));
    expect(compat.kid).toBe(toHex(kidOf(fromHex(compat.publicKey))));
  });

  it('sign with the current signing key', async () => {
    const k = await keyring();
    const message = utf8('offpay test message');
    const { kid, signature } = k.sign(message);
    expect(toHex(kid)).toBe(toHex(k.current('sign').kid));
    expect(verify(signature, message, k.current('sign').publicKey)).toBe(true);
  });

  it('open sealed bytes with the KEM key, and refuse unknown kids and wrong info', async () => {
    const k = await keyring();
    const kem = k.current('kem');
    const info = concatBytes(labelBytes('offpay/v1/settlement'), kem.kid);
    const sealed = seal(kem.publicKey, info, utf8('batch'));
    expect(k.openSealed(kem.kid, info, sealed)).toEqual(utf8('batch'));
    const codeOf = (f: () => unknown) => {
      try {
        f();
        return 'opened';
      } catch (err) {
        return isBankError(err) || isCryptoError(err) ? err.code : String(err);
      }
    };
    expect(codeOf(() => k.openSealed(new Uint8Array(8), info, sealed))).toBe('BANK_KEY_UNKNOWN');
    expect(codeOf(() => k.openSealed(k.current('sign').kid, info, sealed))).toBe(
      'BANK_KEY_UNKNOWN',
    );
    expect(codeOf(() => k.openSealed(kem.kid, utf8('other info'), sealed))).toBe(
      'CRYPTO_HPKE_OPEN_FAILED',
    );
  });

  it('rotate: the new key is announced by the old one, and a retired KEM key opens until its grace ends', async () => {
    const k = await keyring(TEST_KEK_SECRET, 3600);
    const oldSign = k.current('sign');
    const oldKem = k.current('kem');
    const info = concatBytes(labelBytes('offpay/v1/settlement'), oldKem.kid);
    const sealedToOld = seal(oldKem.publicKey, info, utf8('late batch'));

    const next = await k.rotate('sign', ({ next: n, signWithAnnouncingKey }) =>
      signWithAnnouncingKey(n.publicKey),
    );
    expect(toHex(next.previousKid ?? new Uint8Array())).toBe(toHex(oldSign.kid));
    expect(verify(next.announcement ?? new Uint8Array(), next.publicKey, oldSign.publicKey)).toBe(
      true,
    );
    expect(toHex(k.current('sign').kid)).toBe(toHex(next.kid));

    clock = new Date(clock.getTime() + 1000);
    const nextKem = await k.rotate('kem', ({ next: n, signWithAnnouncingKey }) =>
      signWithAnnouncingKey(n.publicKey),
    );
    expect(
      verify(nextKem.announcement ?? new Uint8Array(), nextKem.publicKey, next.publicKey),
    ).toBe(true);
    expect(k.openSealed(oldKem.kid, info, sealedToOld)).toEqual(utf8('late batch'));
    clock = new Date(clock.getTime() + 3601_000);
    expect(() => k.openSealed(oldKem.kid, info, sealedToOld)).toThrow(/No bank KEM key/);

    const other = await keyring();
    expect(other.list('sign').map((x) => toHex(x.kid))).toEqual(
      k.list('sign').map((x) => toHex(x.kid)),
    );
    expect(other.list('sign').filter((x) => x.retiredAt === null)).toHaveLength(1);
  });

  it('refuse to start with another key-encryption secret', async () => {
    await expect(keyring('a different secret that is long enough')).rejects.toThrow(
      /does not open bank key/,
    );
  });

  it('never appear in API responses, logs, the keyring object or the audit log', async () => {
    const app = await buildTestApp({ db, logs, now: () => clock });
    const responses = await Promise.all(
      ['/v1/keys', '/bank-public-key', '/docs/json'].map((u) => app.inject(u)),
    );
    await app.close();
    const k = await keyring();
    const audit = JSON.stringify(await db.query('SELECT data FROM audit_log'));
    const haystack = [
      ...responses.map((r) => r.body),
      logs.text(),
      JSON.stringify(k),
      inspect(k, { depth: 5, showHidden: true }),
      audit,
    ].join('\n');
    const secrets = await plaintextSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(4 * 3);
    for (const s of secrets) expect(haystack).not.toContain(s);
    // The signature check above would pass vacuously if nothing was captured.
    expect(logs.lines.length).toBeGreaterThan(3);
  });
});
