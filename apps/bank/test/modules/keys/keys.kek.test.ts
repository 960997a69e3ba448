import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEK_FILE_NAME, resolveKeyEncryptionSecret } from '../../../src/modules/keys/keys.kek.js';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offpay-kek-'));
  dirs.push(dir);
  return join(dir, 'bank');
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('key-encryption secret', () => {
  it('is generated once into DATA_DIR with mode 0600 and reused afterwards', async () => {
    const dir = await dataDir();
    const first = await resolveKeyEncryptionSecret({
      keyEncryptionSecret: undefined,
      databaseUrl: undefined,
      dataDir: dir,
    });
    const file = join(dir, KEK_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.secret);
    const second = await resolveKeyEncryptionSecret({
      keyEncryptionSecret: undefined,
      databaseUrl: undefined,
      dataDir: dir,
    });
    expect(second.secret).toBe(first.secret);
  });

  it('tightens a file that others can read back to 0600', async () => {
    const dir = await dataDir();
    await resolveKeyEncryptionSecret({
      keyEncryptionSecret: undefined,
      databaseUrl: undefined,
      dataDir: dir,
    });
    await chmod(join(dir, KEK_FILE_NAME), 0o644);
    const again = await resolveKeyEncryptionSecret({
      keyEncryptionSecret: undefined,
      databaseUrl: undefined,
      dataDir: dir,
    });
    expect(again.repairedMode).toBe(true);
    expect((await stat(join(dir, KEK_FILE_NAME))).mode & 0o777).toBe(0o600);
  });

  it('prefers the configured secret and never writes a file then', async () => {
    const dir = await dataDir();
    const r = await resolveKeyEncryptionSecret({
      keyEncryptionSecret: 'x'.repeat(40),
      databaseUrl: 'postgres://h/db',
      dataDir: dir,
    });
    expect(r.secret).toBe('x'.repeat(40));
    await expect(stat(dir)).rejects.toThrow();
  });

  it('is required with DATABASE_URL', async () => {
    const dir = await dataDir();
    await expect(
      resolveKeyEncryptionSecret({
        keyEncryptionSecret: undefined,
        databaseUrl: 'postgres://h/db',
        dataDir: dir,
      }),
    ).rejects.toThrow(/BANK_KEY_ENCRYPTION_SECRET/);
  });
});
