/**
 * The bank keyring's two secret-key operations, noble (before) against node:crypto (now,
 * src/modules/keys/keys.native.ts): HPKE open of a sealed batch of 10 and of 1,000 entries (the
 * sizes of the load and settle benchmarks) and signing a settlement result. CPU per call on one
 * thread, so the gain per request holds whatever else the machine runs.
 *
 * Run: `pnpm exec tsx bench/keyring.bench.ts` (part of `pnpm bench`).
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { generateSecretKey, getPublicKey, open, seal, sign, utf8 } from '@offpay/crypto';
import { measure } from '../../../tools/bench-harness.js';
import { nativeKemKey, nativeSignKey } from '../src/modules/keys/keys.native.js';
import { fmt, machineInfo } from './fixtures.js';

const info = utf8('offpay/v1/settlement');
const kem = generateSecretKey();
const signer = generateSecretKey();
const native = { kem: nativeKemKey(kem), sign: nativeSignKey(signer) };
// A sealed payment entry is ~375 bytes; a settlement result of 10 entries ~600 bytes.
const sealed10 = seal(getPublicKey(kem), info, new Uint8Array(nodeRandomBytes(10 * 380)));
const sealed1000 = seal(getPublicKey(kem), info, new Uint8Array(nodeRandomBytes(1000 * 380)));
const result = new Uint8Array(nodeRandomBytes(600));

const cases: [string, () => unknown, () => unknown][] = [
  [
    'HPKE open, batch of 10 (3.8 KB)',
    () => open(kem, info, sealed10),
    () => native.kem.open(info, sealed10),
  ],
  [
    'HPKE open, batch of 1,000 (380 KB)',
    () => open(kem, info, sealed1000),
    () => native.kem.open(info, sealed1000),
  ],
  ['sign a settlement result (600 B)', () => sign(result, signer), () => native.sign.sign(result)],
];

console.log('## apps/bank: the keyring, noble against node:crypto\n');
console.log(`Machine: ${machineInfo()}\n`);
console.log('| operation | noble median µs | node:crypto median µs | noble ÷ node:crypto |');
console.log('|---|---:|---:|---:|');
for (const [name, before, after] of cases) {
  const a = measure(`${name} noble`, before, 1000);
  const b = measure(`${name} native`, after, 1000);
  console.log(
    `| ${name} | ${fmt(a.medianMicros, 1)} | ${fmt(b.medianMicros, 1)} | ${(a.medianMicros / b.medianMicros).toFixed(1)} |`,
  );
}
