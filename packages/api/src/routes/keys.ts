/** The bank's public keys, for pinning and rotation. */
import { z } from 'zod';
import { hex, hexUpTo, instant } from '../fields.js';
import { KEYS_MAX } from '../limits.js';
import type { RouteSpec } from '../route.js';
import { reason } from './operators.js';

/** One bank key, current or retired. */
export const bankKey = z.object({
  kid: hex(8).describe('First 8 bytes of SHA-256 of the compressed public key'),
  publicKey: hex(33).describe('Compressed SEC1 P-256 public key'),
  createdAt: instant,
  retiredAt: instant.nullable(),
  previousKid: hex(8).nullable(),
  announcement: hexUpTo(1024)
    .nullable()
    .describe('Rotation announcement signed by the previous key (docs/protocol.md §12)'),
});

/** GET /v1/keys */
export const keys = {
  method: 'GET',
  path: '/v1/keys',
  auth: false,
  tag: 'keys',
  summary: "The bank's signing and KEM keys, current and retired (docs/protocol.md §12)",
  status: 200,
  response: z.object({
    signKeys: z.array(bankKey).max(KEYS_MAX),
    kemKeys: z.array(bankKey).max(KEYS_MAX),
  }),
  errors: [],
} as const satisfies RouteSpec;

/** GET /bank-public-key */
export const bankPublicKey = {
  method: 'GET',
  path: '/bank-public-key',
  auth: false,
  tag: 'keys',
  summary: 'The current signing key (kept for compatibility with the first clients)',
  status: 200,
  response: z.object({ kid: hex(8), publicKey: hex(33) }),
  errors: [],
} as const satisfies RouteSpec;

/** POST /v1/operator/keys/rotate */
export const rotateKeys = {
  method: 'POST',
  path: '/v1/operator/keys/rotate',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'operators',
  summary: "Rotate the bank's signing key, KEM key or both (docs/operations.md)",
  description:
    'Each new key is announced signed by the signing key before it (docs/protocol.md §12); every ' +
    'instance loads it at once, and devices follow the announcements the next time they are ' +
    'online. `both` rotates the signing key, then the KEM key: two announcements.',
  body: z.object({ kind: z.enum(['sign', 'kem', 'both']), reason }),
  status: 200,
  response: z.object({ signKey: bankKey, kemKey: bankKey }),
  errors: [400, 401, 403, 409],
} as const satisfies RouteSpec;
