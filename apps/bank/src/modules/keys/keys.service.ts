/**
 * The bank's keyring: loads the signing and KEM keys (creating them on first start), keeps the
 * secret halves only in private fields (never on an object that could be logged or serialised),
 * signs with the current signing key, opens sealed bytes with current or recently retired KEM
 * keys, follows other instances' rotations, and rotates — the writes themselves (creating,
 * retiring, announcing, auditing a key) are keys.rotation.ts.
 */
import { toHex } from '@offpay/crypto';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { PubSub } from '../../kv/kv.js';
import type { AuditLog } from '../audit/audit.service.js';
import { deriveKeyEncryptionKey, kemKeyAccepted, type BankKeyKind } from './keys.domain.js';
import { followRotations, KEYS_CHANNEL, rotationMessage, type Following } from './keys.follow.js';
import {
  nativeKemKey,
  nativeSignKey,
  type NativeKemKey,
  type NativeSignKey,
} from './keys.native.js';
import { currentBankKids, hasBankKey, knownBankKids, listBankKeys } from './keys.repo.js';
import {
  ensureCurrentKeys,
  KINDS,
  publicInfo,
  rotateKey,
  type BankKeyInfo,
  type KeyWriter,
  type RotationAnnouncer,
} from './keys.rotation.js';
import { ensureSealedSecret, unsealBankKey } from './keys.sealing.js';

export type { BankKeyInfo, RotationAnnouncer };

/** What settlement, enrollment and the routes use of the bank's keys. */
export interface BankKeyring {
  /** The current key of `kind`. */
  current(kind: BankKeyKind): BankKeyInfo;
  /** Every key of `kind`, oldest first, retired ones included. */
  list(kind: BankKeyKind): BankKeyInfo[];
  /** ECDSA P-256 signature (P1363, low-S) over `message` with the current signing key. */
  sign(message: Uint8Array): { kid: Uint8Array; signature: Uint8Array };
  /**
   * HPKE-opens `sealed` with the KEM key `kemKid` and `info` (DESIGN.md §4 "Sealing").
   * @throws BANK_KEY_UNKNOWN when the kid is not a KEM key or retired too long ago.
   * @throws CRYPTO_HPKE_OPEN_FAILED when the bytes do not open.
   */
  openSealed(kemKid: Uint8Array, info: Uint8Array, sealed: Uint8Array): Uint8Array;
  /**
   * Retires the current key of `kind` and makes a new one, announced when `announcer` is given;
   * `alsoInTx` writes in the same transaction (an operator's audit line).
   */
  rotate(
    kind: BankKeyKind,
    announcer?: RotationAnnouncer,
    alsoInTx?: (tx: Queryable, kid: Uint8Array) => Promise<void>,
  ): Promise<BankKeyInfo>;
  /** Re-reads keys from the database (after another instance rotated). */
  reload(): Promise<void>;
  /**
   * Reloads when the database holds a key of `kind` with `kid` that this instance has not loaded
   * (another instance rotated); a kid the database does not know costs one primary-key probe and
   * no reload. True when the key is loaded afterwards.
   */
  reloadFor(kind: BankKeyKind, kid: Uint8Array): Promise<boolean>;
  /**
   * {@link reloadFor} for many kids at once: one query for every kid not loaded (none when all
   * are), one reload when the database holds any of them.
   */
  reloadForAny(kind: BankKeyKind, kids: readonly Uint8Array[]): Promise<void>;
  /**
   * Reloads when the database's current keys are not the ones loaded (one small query): the
   * backstop, run every `KEYS_CHECK_SECONDS` (keys.follow.ts), for a rotation message lost while
   * Redis was down — so an instance never signs with a retired key for long. True when it
   * reloaded.
   */
  refresh(): Promise<boolean>;
  /** Stops following other instances' rotations (the app's onClose). Never rejects. */
  close(): Promise<void>;
  /** A generated secret (e.g. `jwt`), created sealed in the database on first use. */
  secret(name: string, length?: number): Promise<Uint8Array>;
}

/** Dependencies of {@link createKeyring}. */
export interface KeyringDeps {
  db: Database;
  keyEncryptionSecret: string;
  audit: AuditLog;
  now: () => Date;
  retiredKemAcceptSeconds: number;
  /**
   * Where rotations are told to every instance (channel `keys`, keys.follow.ts); without it (or
   * while Redis is down) an instance learns of another's rotation from the database when it meets
   * a kid it has not loaded (docs/operations.md "Rotating the bank's keys").
   */
  pubsub?: PubSub;
  /** Called when a rotation message could not be published or followed (a warning). */
  onPubSubError?: (err: unknown) => void;
}

/**
 * Loads the keyring, creating missing current keys first (safe when instances start together).
 * @throws Error when the key-encryption secret does not open the stored keys.
 */
export async function createKeyring(deps: KeyringDeps): Promise<BankKeyring> {
  const keyring = new Keyring(deps);
  await keyring.ensureCurrentKeys();
  await keyring.reload();
  await keyring.follow();
  return keyring;
}

// Secret material lives only in #private fields: JSON.stringify, pino and util.inspect do not
// see them, so logging the keyring by mistake cannot leak a key.
class Keyring implements BankKeyring {
  readonly #deps: KeyringDeps;
  readonly #kek: Uint8Array;
  #infos: BankKeyInfo[] = [];
  #secretKeys = new Map<string, Uint8Array>();
  // OpenSSL forms of the loaded keys (keys.native.ts), made on first use, by hex kid.
  #nativeSign = new Map<string, NativeSignKey>();
  #nativeKem = new Map<string, NativeKemKey>();
  readonly #secrets = new Map<string, Uint8Array>();
  #reloading: Promise<void> | null = null;
  #following: Following | null = null;

  constructor(deps: KeyringDeps) {
    this.#deps = deps;
    this.#kek = deriveKeyEncryptionKey(deps.keyEncryptionSecret);
  }

  /** Creates the current keys that are missing (keys.rotation.ts). */
  ensureCurrentKeys(): Promise<void> {
    return ensureCurrentKeys(this.#deps.db, this.#writer());
  }

  // What keys.rotation.ts needs to create keys: private, as the key-encryption key is in it.
  #writer(): KeyWriter {
    return { kek: this.#kek, now: this.#deps.now, audit: this.#deps.audit };
  }

  async reload(): Promise<void> {
    const rows = await listBankKeys(this.#deps.db);
    this.#secretKeys = new Map(rows.map((r) => [toHex(r.kid), unsealBankKey(this.#kek, r)]));
    this.#nativeSign = new Map();
    this.#nativeKem = new Map();
    this.#infos = rows.map(publicInfo);
  }

  async reloadFor(kind: BankKeyKind, kid: Uint8Array): Promise<boolean> {
    const loaded = () => this.list(kind).some((k) => toHex(k.kid) === toHex(kid));
    if (loaded()) return true;
    if (!(await hasBankKey(this.#deps.db, kind, kid))) return false;
    // Loaded meanwhile by a reload another request started: nothing more to do.
    if (loaded()) return true;
    await this.#reloadOnce();
    return loaded();
  }

  async reloadForAny(kind: BankKeyKind, kids: readonly Uint8Array[]): Promise<void> {
    const have = new Set(this.list(kind).map((k) => toHex(k.kid)));
    const missing = new Map<string, Uint8Array>();
    for (const k of kids) if (!have.has(toHex(k))) missing.set(toHex(k), k);
    if (missing.size === 0) return;
    const known = await knownBankKids(this.#deps.db, kind, [...missing.values()]);
    const loadedNow = new Set(this.list(kind).map((k) => toHex(k.kid)));
    if (known.some((k) => !loadedNow.has(toHex(k)))) await this.#reloadOnce();
  }

  async refresh(): Promise<boolean> {
    const current = await currentBankKids(this.#deps.db);
    const loaded = new Set(KINDS.map((kind) => toHex(this.current(kind).kid)));
    if (current.length === loaded.size && current.every((k) => loaded.has(toHex(k)))) return false;
    await this.#reloadOnce();
    return true;
  }

  async close(): Promise<void> {
    const following = this.#following;
    this.#following = null;
    await following?.close();
  }

  /** Starts following other instances' rotations (keys.follow.ts) when there is a pub/sub. */
  async follow(): Promise<void> {
    const { pubsub, onPubSubError } = this.#deps;
    if (pubsub) this.#following = await followRotations(this, pubsub, onPubSubError);
  }

  // Single flight: a burst of batches sealed to a key another instance just made shares one
  // reload instead of each unsealing every key again.
  #reloadOnce(): Promise<void> {
    this.#reloading ??= this.reload().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  current(kind: BankKeyKind): BankKeyInfo {
    const info = this.#infos.find((k) => k.kind === kind && k.retiredAt === null);
    if (!info) throw new Error(`no current ${kind} key`);
    return info;
  }

  list(kind: BankKeyKind): BankKeyInfo[] {
    return this.#infos.filter((k) => k.kind === kind);
  }

  sign(message: Uint8Array): { kid: Uint8Array; signature: Uint8Array } {
    const { kid } = this.current('sign');
    const hex = toHex(kid);
    let key = this.#nativeSign.get(hex);
    if (!key) this.#nativeSign.set(hex, (key = nativeSignKey(this.#secretOf(kid))));
    return { kid, signature: key.sign(message) };
  }

  openSealed(kemKid: Uint8Array, info: Uint8Array, sealed: Uint8Array): Uint8Array {
    const hex = toHex(kemKid);
    const key = this.#infos.find((k) => toHex(k.kid) === hex);
    const { now, retiredKemAcceptSeconds } = this.#deps;
    if (
      !key ||
      key.kind !== 'kem' ||
      !kemKeyAccepted(key.retiredAt, now(), retiredKemAcceptSeconds)
    ) {
      bankFail('BANK_KEY_UNKNOWN', 'No bank KEM key with this kid accepts sealed bytes', {
        kid: hex,
      });
    }
    let native = this.#nativeKem.get(hex);
    if (!native) this.#nativeKem.set(hex, (native = nativeKemKey(this.#secretOf(key.kid))));
    return native.open(info, sealed);
  }

  async rotate(
    kind: BankKeyKind,
    announcer?: RotationAnnouncer,
    alsoInTx?: (tx: Queryable, kid: Uint8Array) => Promise<void>,
  ): Promise<BankKeyInfo> {
    const kid = await rotateKey(this.#deps.db, this.#writer(), kind, announcer, alsoInTx);
    await this.reload();
    // After COMMIT: every other instance reloads now; one that misses it (Redis down) reloads
    // when it meets the new kid (reloadFor). A failed publish never undoes the rotation.
    await this.#deps.pubsub
      ?.publish(KEYS_CHANNEL, rotationMessage(kind, kid))
      .catch((err: unknown) => this.#deps.onPubSubError?.(err));
    return this.#infos.find((k) => toHex(k.kid) === toHex(kid)) ?? this.current(kind);
  }

  async secret(name: string, length = 32): Promise<Uint8Array> {
    const cached = this.#secrets.get(name);
    if (cached) return cached;
    const value = await ensureSealedSecret(this.#deps.db, this.#kek, name, length);
    this.#secrets.set(name, value);
    return value;
  }

  toJSON(): object {
    return {
      sign: this.list('sign').map((k) => toHex(k.kid)),
      kem: this.list('kem').map((k) => toHex(k.kid)),
    };
  }

  #secretOf(kid: Uint8Array): Uint8Array {
    const sk = this.#secretKeys.get(toHex(kid));
    if (!sk) throw new Error(`secret of bank key ${toHex(kid)} is not loaded`);
    return sk;
  }
}
