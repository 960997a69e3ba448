/**
 * Encrypted backups: the whole database (vault secrets + every store) as one JSON file,
 * encrypted under a key derived from the passphrase with a fresh salt.
 *
 * ```json
 * {"offpay-backup":2,"app":"sender","createdAt":"…","kdf":{"name":"PBKDF2-SHA256",
 *  "iterations":600000,"salt":"b64url"},"iv":"b64url","data":"b64url"}
 * ```
 * `data` is AES-256-GCM over the tagged JSON (serialize.ts) of `{secrets, db}`; the associated
 * data binds the format version, the app and `createdAt`, so none of them can be changed unseen.
 * Version 2 holds `db: {stores: {name: [key, value][]}}`; a version-1 file (the first apps) holds
 * the old layout `db: {state, logs}`, which the app's schema moves into its stores on import.
 */
import { instantInput } from '@offpay/api';
import { toBase64Url, utf8 } from '@offpay/crypto';
import { z } from 'zod';
import { AppError } from './errors.js';
import {
  decrypt,
  deriveKey,
  encrypt,
  IV_LENGTH,
  KDF_NAME,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  newKdfParams,
  SALT_LENGTH,
  type KdfParams,
} from './kdf.js';
import { base64UrlOf, bytesOf, parseShape, ShapeError } from './parse.js';
import { fromTaggedJson, toTaggedJson } from './serialize.js';
import { checkNewPassphrase, MIN_PASSPHRASE_LENGTH, passphraseLength } from './rules.js';
import { checkSnapshot, type Db } from './storage/db.js';
import type { Key, Snapshot, Stores } from './storage/schema.js';
import {
  MAX_SECRET_BYTES,
  MAX_SECRETS,
  prepareVault,
  SECRET_NAME,
  unlockVault,
  vaultSecrets,
  type Secrets,
  type Vault,
} from './vault.js';

export type AppKind = 'sender' | 'receiver';

/** What a backup holds, in the current layout. */
export interface BackupContents {
  secrets: Secrets;
  db: Snapshot;
}

/** Options: PBKDF2 iterations for the file and the restored vault (tests use fewer), the clock. */
export interface BackupOptions {
  iterations?: number;
  now?: () => Date;
}

/** Largest backup file accepted (and written), in characters. */
export const MAX_BACKUP_CHARS = 8 * 1024 * 1024;

const FORMAT_VERSION = 2;
/** The versions read: 2, and 1 of the first apps (its rows moved by the app's schema). */
type Version = 1 | 2;
const APPS = ['sender', 'receiver'] as const satisfies readonly AppKind[];
const MAX_RECORDS = 1_000_000;

interface BackupFile {
  version: Version;
  app: AppKind;
  createdAt: string;
  kdf: KdfParams;
  iv: Uint8Array;
  data: Uint8Array;
}

function associatedData(version: Version, app: AppKind, createdAt: string): Uint8Array {
  return utf8(JSON.stringify(['offpay-backup', version, app, createdAt]));
}

function invalid(problem: string): AppError {
  return new AppError('APP_BACKUP_INVALID', `This is not a usable offpay backup: ${problem}.`);
}

/**
 * The backup file for the Backup button: `passphrase` must open the app's own vault first, so a
 * mistyped one never makes a file nobody can restore. Named `offpay-<app>-backup-<day>.json`.
 * @throws AppError APP_WRONG_PASSPHRASE, APP_VAULT_MISSING, APP_INPUT_TOO_LARGE
 */
export async function backupFile(
  db: Db<Stores>,
  vault: Vault,
  passphrase: string,
  app: AppKind,
  options: BackupOptions = {},
): Promise<{ fileName: string; text: string }> {
  (await unlockVault(db, passphrase)).lock();
  const text = await exportBackup(db, vault, passphrase, app, options);
  return { fileName: `offpay-${app}-backup-${fileDay(options.now?.() ?? new Date())}.json`, text };
}

/** "YYYY-MM-DD" of a local date, for file names. */
export function fileDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The backup file's text. @throws AppError APP_PASSPHRASE_TOO_SHORT, APP_VAULT_LOCKED, APP_INPUT_TOO_LARGE */
export async function exportBackup(
  db: Db<Stores>,
  vault: Vault,
  passphrase: string,
  app: AppKind,
  options: BackupOptions = {},
): Promise<string> {
  checkNewPassphrase(passphrase);
  if (!APPS.includes(app)) throw new TypeError('app: sender or receiver');
  const contents: BackupContents = { secrets: vaultSecrets(vault), db: await db.snapshot() };
  const plaintext = utf8(JSON.stringify(toTaggedJson(contents)));
  const createdAt = (options.now?.() ?? new Date()).toISOString();
  const kdf = newKdfParams(options.iterations);
  const key = await deriveKey(passphrase, kdf);
  const sealed = await encrypt(key, plaintext, associatedData(FORMAT_VERSION, app, createdAt));
  plaintext.fill(0);
  const text = `${JSON.stringify({
    'offpay-backup': FORMAT_VERSION,
    app,
    createdAt,
    kdf: { name: kdf.name, iterations: kdf.iterations, salt: toBase64Url(kdf.salt) },
    iv: toBase64Url(sealed.iv),
    data: toBase64Url(sealed.ciphertext),
  })}\n`;
  if (text.length > MAX_BACKUP_CHARS) {
    throw new AppError(
      'APP_INPUT_TOO_LARGE',
      'The wallet is too large for one backup file; settle and archive old entries first.',
    );
  }
  return text;
}

/** The outer file: exactly these fields. */
const fileSchema = z.strictObject({
  'offpay-backup': z.number().int().min(1).max(FORMAT_VERSION),
  app: z.enum(APPS),
  createdAt: instantInput,
  kdf: z.strictObject({
    name: z.literal(KDF_NAME),
    iterations: z.number().int().min(MIN_ITERATIONS).max(MAX_ITERATIONS),
    salt: base64UrlOf(SALT_LENGTH, 64, 'kdf.salt'),
  }),
  iv: base64UrlOf(IV_LENGTH, IV_LENGTH, 'iv'),
  data: base64UrlOf(16, MAX_BACKUP_CHARS, 'data'),
});

/** The outer file, checked field by field. @throws ShapeError */
function parseFile(json: unknown): BackupFile {
  const marked = typeof json === 'object' && json !== null && Object.hasOwn(json, 'offpay-backup');
  if (!marked) throw new ShapeError('it has no "offpay-backup" marker');
  const { 'offpay-backup': version, ...file } = parseShape(fileSchema, json, 'the file');
  return { version: version as Version, ...file };
}

function isKey(key: unknown, depth = 0): key is Key {
  if (typeof key === 'string' || key instanceof Uint8Array) return true;
  if (typeof key === 'number') return Number.isFinite(key);
  return Array.isArray(key) && depth < 4 && key.every((k) => isKey(k, depth + 1));
}

const isName = (key: unknown): key is string => typeof key === 'string';

/** A list of `[key, value]` rows whose keys pass `isKeyOf`. */
function pairs<K extends Key>(isKeyOf: (key: unknown) => key is K) {
  const pair = z.custom<[K, unknown]>(
    (p) => Array.isArray(p) && p.length === 2 && isKeyOf(p[0]),
    'not a [key, value] pair',
  );
  return z.array(pair).max(MAX_RECORDS);
}

/** A version-1 file's `db`: the old `state` pairs and the two logs. */
const v1Db = z.strictObject({
  state: pairs(isName),
  logs: z.strictObject({ ledger: pairs(isName), history: pairs(isName) }),
});

/** A version-2 file's `db`: each store's rows. */
const v2Db = z.strictObject({ stores: z.record(z.string(), pairs(isKey)) });

const contentsSchema = z.strictObject({
  secrets: z
    .record(z.string().regex(SECRET_NAME), bytesOf(0, MAX_SECRET_BYTES))
    .refine((s) => Object.keys(s).length <= MAX_SECRETS, `more than ${MAX_SECRETS} secrets`),
  db: z.unknown(),
});

/**
 * The decrypted contents, checked, in the current layout (a version-1 file's rows moved by the
 * app's schema). @throws ShapeError
 */
export function parseBackupContents(
  value: unknown,
  version: Version,
  db: Db<Stores>,
): BackupContents {
  const { secrets, db: raw } = parseShape(contentsSchema, value, 'contents');
  if (version === 1) return { secrets, db: db.schema.fromV1(parseShape(v1Db, raw, 'db')) };
  return { secrets, db: parseShape(v2Db, raw, 'db') };
}

function decodeContents(plaintext: Uint8Array, version: Version, db: Db<Stores>): BackupContents {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new ShapeError('the decrypted data is not JSON');
  }
  return parseBackupContents(fromTaggedJson(json), version, db);
}

/**
 * Restores a backup into `db` (replacing everything) and returns the unlocked vault.
 * `transform` may change what is restored first — the sender drops its payer certificate,
 * chain state and payer key there, so it must enroll again (DESIGN.md §3 "Restore").
 * The database and the new vault (same passphrase, fresh salt) are written in one transaction:
 * a failed restore leaves the database as it was.
 * @throws AppError APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP, APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export async function importBackup(
  db: Db<Stores>,
  text: string,
  passphrase: string,
  app: AppKind,
  transform?: (contents: BackupContents) => BackupContents,
  options: BackupOptions = {},
): Promise<Vault> {
  if (typeof text !== 'string') throw invalid('it is not text');
  if (text.length > MAX_BACKUP_CHARS) throw new AppError('APP_INPUT_TOO_LARGE');
  let file: BackupFile;
  try {
    file = parseFile(JSON.parse(text));
  } catch (error) {
    throw invalid(error instanceof ShapeError ? error.message : 'it is not JSON');
  }
  if (file.app !== app) {
    throw new AppError('APP_BACKUP_WRONG_APP', undefined, { app: file.app, expected: app });
  }
  if (typeof passphrase !== 'string' || passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH)
    throw new AppError('APP_WRONG_PASSPHRASE');
  const key = await deriveKey(passphrase, file.kdf);
  const sealed = { iv: file.iv, ciphertext: file.data };
  const aad = associatedData(file.version, file.app, file.createdAt);
  const plaintext = await decrypt(key, sealed, aad);
  if (!plaintext) throw new AppError('APP_WRONG_PASSPHRASE');
  let contents: BackupContents;
  try {
    contents = decodeContents(plaintext, file.version, db);
    if (transform) contents = transform(contents);
    checkSnapshot(db.schema, contents.db);
  } catch (error) {
    throw error instanceof ShapeError ? invalid(error.message) : error;
  } finally {
    plaintext.fill(0);
  }
  const { vault, write } = await prepareVault(db, passphrase, contents.secrets, options);
  try {
    await db.replaceAll(contents.db, [write]);
  } catch (error) {
    vault.lock();
    throw error;
  }
  return vault;
}
