// @ts-check
/**
 * `pnpm demo:reset`: gives the embedded demo a fresh start. Each wallet enrolled reserves its
 * allowance from Alice's account, and an abandoned reserve comes back only days later (its
 * certificate's expiry plus grace), so the demo accounts drain. This deletes the embedded bank's
 * data folder, apps/bank/.data — its database and key file — and nothing else; the next
 * `pnpm start` creates new keys and the demo accounts again. It stops nothing: while the bank is
 * running it deletes nothing and says so.
 */
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DATA = fileURLToPath(new URL('../apps/bank/.data', import.meta.url));
const BANK = `http://127.0.0.1:${process.env['PORT'] ?? '8787'}`;

/** True when a bank answers on the default address. */
async function bankRunning() {
  try {
    await fetch(`${BANK}/readyz`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

if (await bankRunning()) {
  console.error(
    `A bank is running at ${BANK}: stop \`pnpm start\` (Ctrl-C), then run \`pnpm demo:reset\` again.`,
  );
  console.error('Nothing was deleted.');
  process.exit(1);
}
if (!existsSync(DATA)) {
  console.log(
    'Nothing to reset: apps/bank/.data does not exist yet (the next `pnpm start` creates it).',
  );
  process.exit(0);
}
rmSync(DATA, { recursive: true, force: true });
console.log('Demo reset: deleted apps/bank/.data (the embedded bank’s database and keys).');
console.log('The next `pnpm start` creates new bank keys and the demo accounts again:');
console.log('alice@example.com with 100.00 EUR, bob@example.com with 0.00 EUR.');
console.log(
  'Wallets and tills set up before pinned the old bank’s keys: in each browser, clear the',
);
console.log('site data of http://127.0.0.1:5173 and http://127.0.0.1:5174 (or use a new profile),');
console.log('then set them up and enroll again.');
if (process.env['DATA_DIR'])
  console.log(`(DATA_DIR is set: ${process.env['DATA_DIR']} was left alone.)`);
