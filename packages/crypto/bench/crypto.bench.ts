/**
 * Micro-benchmarks for @offpay/crypto: `pnpm bench` (tsx bench/crypto.bench.ts). A small harness:
 * warm up, then time single calls for a fixed wall-clock budget and report throughput and the
 * median latency. Figures are informative only; nothing here asserts on time. Results are
 * recorded in docs/PERFORMANCE.md.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import {
  chainLinks,
  generateSecretKey,
  getPublicKey,
  open,
  publicKeyToJwk,
  randomBytes,
  seal,
  sharedSecret,
  sign,
  utf8,
  verify,
  verifyChain,
} from '../src/index.js';
import { machineLine, measure, measureTotal, table } from '../../../tools/bench-harness.js';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark setup is wrong: ${what}`);
}

const secretKey = generateSecretKey();
const publicKey = getPublicKey(secretKey);
const peerPublic = getPublicKey(generateSecretKey());
const message = randomBytes(300);
const signature = sign(message, secretKey);
const info = utf8('offpay/v1/bench');
const sealed = seal(publicKey, info, message);
// node:crypto with a KeyObject built once, as a server would cache it.
const keyObject = createPublicKey({ key: { ...publicKeyToJwk(publicKey) }, format: 'jwk' });
const nodeKey = { key: keyObject, dsaEncoding: 'ieee-p1363' } as const;

check(verify(signature, message, publicKey), 'noble verify');
check(nodeVerify('sha256', message, nodeKey, signature), 'node:crypto verify');
check(open(secretKey, info, sealed).length === message.length, 'open');

const rows = [
  measure('ECDSA P-256 sign, 300-byte message (noble)', () => sign(message, secretKey)),
  measure('ECDSA P-256 verify, 300-byte message (noble)', () =>
    verify(signature, message, publicKey),
  ),
  measure('ECDSA P-256 verify, 300-byte message (node:crypto, cached KeyObject)', () =>
    nodeVerify('sha256', message, nodeKey, signature),
  ),
  measure('ECDH P-256 shared secret (noble)', () => sharedSecret(secretKey, peerPublic)),
  measure('HPKE seal, 300-byte message (AES-256-GCM)', () => seal(publicKey, info, message)),
  measure('HPKE open, 300-byte message (AES-256-GCM)', () => open(secretKey, info, sealed)),
];

const CHAIN_ENTRIES = 100_000;
const label = 'offpay/v1/ledger';
const genesis = new Uint8Array(32);
const entries = Array.from({ length: CHAIN_ENTRIES }, () => randomBytes(120));
const links = chainLinks(label, genesis, entries);
const buildMs = measureTotal(3, () => chainLinks(label, genesis, entries));
const verifyMs = measureTotal(3, () => verifyChain(label, genesis, entries, links));

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

console.log(
  [
    `## packages/crypto\n\nMachine: ${machineLine()}\n`,
    table(rows),
    '',
    `| hash chain, ${fmt(CHAIN_ENTRIES)} entries of 120 bytes (SHA-256) | total ms (median of 3) | µs per link |`,
    '|---|---:|---:|',
    `| build (chainLinks) | ${fmt(buildMs, 1)} | ${fmt((buildMs * 1000) / CHAIN_ENTRIES, 2)} |`,
    `| verify (verifyChain) | ${fmt(verifyMs, 1)} | ${fmt((verifyMs * 1000) / CHAIN_ENTRIES, 2)} |`,
  ].join('\n'),
);
