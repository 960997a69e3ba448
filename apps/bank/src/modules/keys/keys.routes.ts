/**
 * GET /v1/keys (every bank key, for pinning and rotation), GET /bank-public-key (compatibility)
 * and the operators' POST /v1/operator/keys/rotate.
 */
import { routes, type bankKey } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator } from '../../plugins/auth.js';
import type { BankKeyKind } from './keys.domain.js';
import type { BankKeyInfo } from './keys.service.js';
import { protocolAnnouncer } from './keys.signer.js';

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
  app.route({
    ...routeOptions(app, routes.rotateKeys),
    handler: async (request) => {
      const operator = requireOperator(request);
      const { keyring, operators } = app.services;
      const { kind, reason } = request.body;
      const kinds: BankKeyKind[] = kind === 'both' ? ['sign', 'kem'] : [kind];
      for (const k of kinds) {
        // The operator's line in the rotation's own transaction: no key without its reason.
        await keyring.rotate(k, protocolAnnouncer(keyring, app.now), (tx, kid) =>
          operators.record(tx, operator, {
            action: 'bank_key.rotate',
            target: `bank_key:${toHex(kid)}`,
            reason,
            data: { kind: k },
          }),
        );
      }
      return { signKey: view(keyring.current('sign')), kemKey: view(keyring.current('kem')) };
    },
  });
  done();
};
