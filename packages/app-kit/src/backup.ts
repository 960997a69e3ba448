/**
 * Encrypted backups: the whole database (vault secrets + state + logs) as one JSON file,
 * encrypted under a key derived from the passphrase with a fresh salt.
 *
 * ```json
 * {"offpay-backup":1,"app":"sender","createdAt":"…","kdf":{"name":"PBKDF2-SHA256",
 *  "iterations":600000,"salt":"b64url"},"iv":"b64url","data":"b64url"}
 * ```
 * `data` is AES-256-GCM over the tagged JSON (serialize.ts) of `{secrets, db}`; the associated
 * data binds the format version, the app and `createdAt`, so none of them can be changed unseen.
 */
import { toBase64Url, utf8 } from '@offpay/crypto';
import { LOG_NAMES, VAULT_KEY, type AppDb, type DbSnapshot, type LogName } from './db.js';
import { AppError } from './errors.js';
import {
  base64Url,
  bytes,
  exactKeys,
  field,
  integer,
  isoDateTime,
  list,
  oneOf,
  record,
  ShapeError,
} from './guards.js';
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
import { fromTaggedJson, toTaggedJson } from './serialize.js';
import {
  checkNewPassphrase,
  MAX_SECRET_BYTES,
  MAX_SECRETS,
  MIN_PASSPHRASE_LENGTH,
  passphraseLength,
  prepareVault,
  SECRET_NAME,
  vaultSecrets,
  type Secrets,
  type Vault,
} from './vault.js';

export type AppKind = 'sender' | 'receiver';

export interface BackupContents {
  secrets: Secrets;
  db: DbSnapshot;
}

/** Options: PBKDF2 iterations for the file and the restored vault (tests use fewer), the clock. */
export interface BackupOptions {
  iterations?: number;
  now?: () => Date;
}

/** Largest backup file accepted (and written), in characters. */
export const MAX_BACKUP_CHARS = 8 * 1024 * 1024;

const FORMAT_VERSION = 1;
const APPS: readonly AppKind[] = ['sender', 'receiver'];
const MAX_RECORDS = 1_000_000;

interface BackupFile {
  app: AppKind;
  createdAt: string;
  kdf: KdfParams;
  iv: Uint8Array;
  data: Uint8Array;
}

function associatedData(app: AppKind, createdAt: string): Uint8Array {
  return utf8(JSON.stringify(['offpay-backup', FORMAT_VERSION, app, createdAt]));
}

function invalid(problem: string): AppError {
  return new AppError('APP_BACKUP_INVALID', `This is not a usable offpay backup: ${problem}.`);
}

/** The backup file's text. @throws AppError APP_PASSPHRASE_TOO_SHORT, APP_VAULT_LOCKED, APP_INPUT_TOO_LARGE */
export async function exportBackup(
  db: AppDb,
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
  const sealed = await encrypt(key, plaintext, associatedData(app, createdAt));
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

/** The outer file, checked field by field. @throws ShapeError */
function parseFile(json: unknown): BackupFile {
  const f = record(json, 'the file');
  const version = field(f, 'offpay-backup');
  if (version === undefined) throw new ShapeError('it has no "offpay-backup" marker');
  integer(version, 'the version', FORMAT_VERSION, FORMAT_VERSION);
  exactKeys(f, 'the file', ['offpay-backup', 'app', 'createdAt', 'kdf', 'iv', 'data']);
  const kdf = record(field(f, 'kdf'), 'kdf');
  exactKeys(kdf, 'kdf', ['name', 'iterations', 'salt']);
  const iterations = field(kdf, 'iterations');
  return {
    app: oneOf(field(f, 'app'), 'app', APPS),
    createdAt: isoDateTime(field(f, 'createdAt'), 'createdAt'),
    kdf: {
      name: oneOf(field(kdf, 'name'), 'kdf.name', [KDF_NAME]),
      iterations: integer(iterations, 'kdf.iterations', MIN_ITERATIONS, MAX_ITERATIONS),
      salt: base64Url(field(kdf, 'salt'), 'kdf.salt', SALT_LENGTH, 64),
    },
    iv: base64Url(field(f, 'iv'), 'iv', IV_LENGTH, IV_LENGTH),
    data: base64Url(field(f, 'data'), 'data', 16, MAX_BACKUP_CHARS),
  };
}

function pairs(value: unknown, path: string, reserved?: string): [string, unknown][] {
  const seen = new Set<string>();
  return list(value, path, MAX_RECORDS).map((item, i): [string, unknown] => {
    const pair = list(item, `${path}[${i}]`, 2);
    const [key, v] = pair;
    if (pair.length !== 2 || typeof key !== 'string' || seen.has(key) || key === reserved)
      throw new ShapeError(`${path}[${i}] is not a unique [key, value] pair`);
    seen.add(key);
    return [key, v];
  });
}

/** The decrypted contents, checked. @throws ShapeError */
export function parseBackupContents(value: unknown): BackupContents {
  const c = record(value, 'contents');
  exactKeys(c, 'contents', ['secrets', 'db']);
  const secrets: Secrets = {};
  const entries = Object.entries(record(field(c, 'secrets'), 'secrets'));
  if (entries.length > MAX_SECRETS) throw new ShapeError(`secrets has more than ${MAX_SECRETS}`);
  for (const [name, secret] of entries) {
    if (!SECRET_NAME.test(name)) throw new ShapeError('a secret has an unusable name');
    secrets[name] = bytes(secret, `secrets.${name}`, 0, MAX_SECRET_BYTES);
  }
  const db = record(field(c, 'db'), 'db');
  exactKeys(db, 'db', ['state', 'logs']);
  const logs = record(field(db, 'logs'), 'db.logs');
  exactKeys(logs, 'db.logs', LOG_NAMES);
  const snapshot: DbSnapshot = {
    state: pairs(field(db, 'state'), 'db.state', VAULT_KEY),
    logs: {} as Record<LogName, [string, unknown][]>,
  };
  for (const log of LOG_NAMES) snapshot.logs[log] = pairs(field(logs, log), `db.logs.${log}`);
  return { secrets, db: snapshot };
}

function decodeContents(plaintext: Uint8Array): BackupContents {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new ShapeError('the decrypted data is not JSON');
  }
  return parseBackupContents(fromTaggedJson(json));
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
  db: AppDb,
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
  const plaintext = await decrypt(key, sealed, associatedData(file.app, file.createdAt));
  if (!plaintext) throw new AppError('APP_WRONG_PASSPHRASE');
  let contents: BackupContents;
  try {
    contents = decodeContents(plaintext);
    if (transform) contents = parseBackupContents(transform(contents));
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
