/**
 * Operator command: rotate the bank's signing or KEM key (`pnpm --filter @offpay/bank rotate-keys
 * sign|kem`), on the database the environment names. The new key is announced signed by the old
 * one (docs/protocol.md §12); retired KEM keys keep opening batches (docs/operations.md).
 */
import { toHex } from '@offpay/crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { protocolAnnouncer } from '../src/modules/keys/keys.signer.js';

const kind = process.argv[2];
if (kind !== 'sign' && kind !== 'kem') {
  console.error('usage: rotate-keys sign|kem');
  process.exit(2);
}
const app = await buildApp({ ...loadConfig(), demoSeed: false, logLevel: 'warn' });
try {
  const { keyring } = app.services;
  const next = await keyring.rotate(
    kind,
    protocolAnnouncer(keyring, () => new Date()),
  );
  console.log(
    `rotated the ${kind} key: new kid ${toHex(next.kid)} (announced under the previous signing key)`,
  );
} catch (err) {
  // A refusal (the clock behind the latest announcement) rolled back: say why, change nothing.
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await app.close();
}
