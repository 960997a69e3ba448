/** GET /v1/keys (every bank key, for pinning and rotation) and GET /bank-public-key (compatibility). */
import { routes, type bankKey } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { routeOptions } from '../../http/route-schema.js';
import type { BankKeyInfo } from './keys.service.js';

function view(k: BankKeyInfo): z.infer<typeof bankKey> {
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
  app.route({
    ...routeOptions(app, routes.keys),
    handler: (_request, reply) => {
      const { keyring } = app.services;
      void reply.header('cache-control', CACHE_CONTROL);
      return { signKeys: keyring.list('sign').map(view), kemKeys: keyring.list('kem').map(view) };
    },
  });
  app.route({
    ...routeOptions(app, routes.bankPublicKey),
    handler: (_request, reply) => {
      const k = app.services.keyring.current('sign');
      void reply.header('cache-control', CACHE_CONTROL);
      return { kid: toHex(k.kid), publicKey: toHex(k.publicKey) };
    },
  });
  done();
};
