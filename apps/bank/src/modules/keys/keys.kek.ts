/**
 * Where the key-encryption secret comes from (docs/operations.md "Bank keys"): the
 * BANK_KEY_ENCRYPTION_SECRET variable, or — only on the embedded default — a file generated once
 * in the data folder with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the generated secret inside DATA_DIR. */
export const KEK_FILE_NAME = 'key-encryption.secret';

/** What the source of the secret needs from the configuration. */
export interface KekSource {
  keyEncryptionSecret: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
}

/**
 * The key-encryption secret: the configured one, else the one in `dataDir` (generated on first
 * start). Tightens a readable file back to 0600 (returned as `repairedMode`, for a warning).
 * @throws Error when DATABASE_URL is set without a configured secret.
 */
export async function resolveKeyEncryptionSecret(
  src: KekSource,
): Promise<{ secret: string; repairedMode?: boolean }> {
  if (src.keyEncryptionSecret !== undefined) return { secret: src.keyEncryptionSecret };
  if (src.databaseUrl !== undefined) {
    throw new Error('BANK_KEY_ENCRYPTION_SECRET is required when DATABASE_URL is set');
  }
  await mkdir(src.dataDir, { recursive: true, mode: 0o700 });
  const path = join(src.dataDir, KEK_FILE_NAME);
  try {
    // 'wx': never overwrite an existing secret, which would orphan every stored key.
    await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = (await readFile(path, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${path} must hold at least 32 characters`);
  if (((await stat(path)).mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    return { secret, repairedMode: true };
  }
  return { secret };
}
