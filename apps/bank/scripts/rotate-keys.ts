/**
 * Operator command: rotate the bank's signing key, KEM key or both (`pnpm --filter @offpay/bank
 * rotate-keys sign|kem|both`), on the database the environment names. Each new key is announced
 * signed by the signing key before it (docs/protocol.md §12); every running instance loads it at
 * once (pub/sub, or from the database at the first kid it does not know); retired KEM keys keep
 * opening batches (docs/operations.md "Rotating the bank's keys").
 */
import { toHex } from '@offpay/crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { protocolAnnouncer } from '../src/modules/keys/keys.signer.js';

const kind = process.argv[2];
const KINDS = { sign: ['sign'], kem: ['kem'], both: ['sign', 'kem'] } as const;
if (kind !== 'sign' && kind !== 'kem' && kind !== 'both') {
  console.error('usage: rotate-keys sign|kem|both');
  process.exit(2);
}
const app = await buildApp({ ...loadConfig(), demoSeed: false, logLevel: 'warn' });
try {
  const { keyring } = app.services;
  for (const k of KINDS[kind]) {
    const next = await keyring.rotate(
      k,
      protocolAnnouncer(keyring, () => new Date()),
    );
    console.log(
      `rotated the ${k} key: new kid ${toHex(next.kid)} (announced under the previous signing key)`,
    );
  }
} catch (err) {
  // A refusal (the clock behind the latest announcement) rolled back: say why, change nothing.
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await app.close();
}
