/** GET /v1/keys (every bank key, for pinning and rotation) and GET /bank-public-key (compatibility). */
import { toHex } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BankKeyInfo } from './keys.service.js';

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

const keySchema = z.object({
  kid: hex(8).describe('First 8 bytes of SHA-256 of the compressed public key'),
  publicKey: hex(33).describe('Compressed SEC1 P-256 public key'),
  createdAt: z.iso.datetime(),
  retiredAt: z.iso.datetime().nullable(),
  previousKid: hex(8).nullable(),
  announcement: z
    .string()
    .regex(/^[0-9a-f]*$/)
    .nullable()
    .describe('Rotation announcement signed by the previous key'),
});

function view(k: BankKeyInfo): z.infer<typeof keySchema> {
  return {
    kid: toHex(k.kid),
    publicKey: toHex(k.publicKey),
    createdAt: k.createdAt.toISOString(),
    retiredAt: k.retiredAt?.toISOString() ?? null,
    previousKid: k.previousKid ? toHex(k.previousKid) : null,
    announcement: k.announcement ? toHex(k.announcement) : null,
  };
}

// Keys change only on rotation; clients may cache them briefly.
const CACHE_CONTROL = 'public, max-age=300';

/** Public key routes (no login). */
export const keyRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: "The bank's signing and KEM keys, current and retired (DESIGN.md §3)",
        response: { 200: z.object({ signKeys: z.array(keySchema), kemKeys: z.array(keySchema) }) },
      },
    },
    (_request, reply) => {
      const { keyring } = app.services;
      void reply.header('cache-control', CACHE_CONTROL);
      return { signKeys: keyring.list('sign').map(view), kemKeys: keyring.list('kem').map(view) };
    },
  );
  app.get(
    '/bank-public-key',
    {
      schema: {
        tags: ['keys'],
        summary: 'The current signing key (kept for compatibility with the original design)',
        response: { 200: z.object({ kid: hex(8), publicKey: hex(33) }) },
      },
    },
    (_request, reply) => {
      const k = app.services.keyring.current('sign');
      void reply.header('cache-control', CACHE_CONTROL);
      return { kid: toHex(k.kid), publicKey: toHex(k.publicKey) };
    },
  );
  done();
};
