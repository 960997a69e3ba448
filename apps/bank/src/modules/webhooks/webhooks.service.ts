/**
 * Merchant webhooks (docs/webhooks.md): verified merchants register https endpoints (the signing
 * secret answered once, stored sealed), list and disable them and read their delivery log;
 * operators read every log (audited as a read); other modules write events through the
 * {@link WebhookOutbox} inside their own transaction. Delivery is webhooks.worker.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, WEBHOOKS_MAX, type WebhookEventType } from '@offpay/api';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import { checkWebhookUrl, SECRET_PREFIX } from './webhooks.domain.js';
import type { WebhookOutbox } from './webhooks.ports.js';
import * as repo from './webhooks.repo.js';
import type { DeliveryFilter, DeliveryRow, EndpointRow } from './webhooks.repo.js';
import type { WebhookVault } from './webhooks.sealing.js';

export type { DeliveryRow, EndpointRow, WebhookOutbox };

/** Dependencies of the webhooks service. */
export interface WebhooksDeps {
  db: Database;
  vault: WebhookVault;
  /** Appends an operator action's audit entry inside `tx` (the operators service). */
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  /** Also http://localhost and 127.0.0.1 (WEBHOOK_ALLOW_HTTP): tests and local development. */
  allowLocalHttp: boolean;
  now: () => Date;
}

/** Endpoints, the outbox and the delivery logs. */
export interface WebhooksService {
  /**
   * Registers an endpoint; the secret is in this answer only.
   * @throws BANK_MERCHANT_NOT_VERIFIED, BANK_WEBHOOK_URL_INVALID, BANK_WEBHOOKS_LIMIT
   */
  create(
    userId: string,
    input: { url: string; events?: readonly WebhookEventType[] },
  ): Promise<{ endpoint: EndpointRow; secret: string }>;
  list(userId: string): Promise<EndpointRow[]>;
  /** @throws BANK_WEBHOOK_NOT_FOUND */
  disable(userId: string, id: string): Promise<EndpointRow>;
  /** @throws BANK_WEBHOOK_NOT_FOUND */
  deliveries(
    userId: string,
    endpointId: string,
    page: { before?: bigint; limit: number },
  ): Promise<DeliveryRow[]>;
  /** Every endpoint's deliveries (audited as a read). */
  operatorDeliveries(actor: OperatorActor, filter: DeliveryFilter): Promise<DeliveryRow[]>;
  /**
   * Deletes delivered and given-up deliveries created before `before`, the oldest first, in
   * chunks of `bounds.chunk` rows (each its own short statement) and at most `bounds.maxChunks`
   * chunks per call; pending ones are never deleted. `more`: the last chunk was full, so more
   * may be due (docs/operations.md "Webhooks", WEBHOOK_RETENTION_DAYS).
   */
  purgeDeliveries(before: Date, bounds?: PurgeBounds): Promise<{ deleted: number; more: boolean }>;
  /** The outbox other modules write events to. */
  outbox: WebhookOutbox;
}

/** How much one retention run deletes. */
export interface PurgeBounds {
  chunk: number;
  maxChunks: number;
}

/** 1,000 rows per statement, 20 statements per run: a run never holds many locks for long. */
export const DEFAULT_PURGE_BOUNDS: PurgeBounds = { chunk: 1000, maxChunks: 20 };

function notFound(id: string): never {
  return bankFail('BANK_WEBHOOK_NOT_FOUND', 'You have no webhook endpoint with this id', {
    endpointId: id,
  });
}

async function requireMerchant(q: Queryable, userId: string): Promise<void> {
  const state = await repo.merchantState(q, userId);
  if (state === 'verified') return;
  bankFail('BANK_MERCHANT_NOT_VERIFIED', 'Only verified merchants can register webhooks', {
    state,
  });
}

/** Builds the webhooks service. */
export function createWebhooksService(deps: WebhooksDeps): WebhooksService {
  const { db, vault } = deps;
  return {
    async create(userId, input) {
      const url = checkWebhookUrl(input.url, deps.allowLocalHttp);
      const events = [...new Set(input.events ?? WEBHOOK_EVENT_TYPES)];
      return db.transaction(async (tx) => {
        await requireMerchant(tx, userId);
        await repo.lockUser(tx, userId);
        if ((await repo.countEnabled(tx, userId)) >= WEBHOOKS_MAX) {
          bankFail('BANK_WEBHOOKS_LIMIT', 'You have the most webhook endpoints allowed', {
            limit: WEBHOOKS_MAX,
          });
        }
        const id = randomUUID();
        const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
        const endpoint = await repo.insertEndpoint(tx, {
          id,
          userId,
          url,
          sealedSecret: vault.seal(id, secret),
          events,
          at: deps.now(),
        });
        return { endpoint, secret };
      });
    },
    // Disabled endpoints stay listed (their logs stay readable): at most a page of 100.
    list: (userId) => repo.listEndpoints(db, userId, 100),
    disable: (userId, id) =>
      db.transaction(async (tx) => {
        const found = await repo.findEndpoint(tx, userId, id);
        if (!found) return notFound(id);
        await repo.disableEndpoint(tx, id, deps.now());
        return (await repo.findEndpoint(tx, userId, id))!;
      }),
    async deliveries(userId, endpointId, page) {
      if (!(await repo.findEndpoint(db, userId, endpointId))) return notFound(endpointId);
      return repo.listDeliveries(db, { ...page, userId, endpointId });
    },
    operatorDeliveries: (actor, filter) =>
      db.transaction(async (tx) => {
        await deps.record(tx, actor, {
          action: 'operator.read',
          target: 'webhook_deliveries',
          data: {
            status: filter.status ?? null,
            endpointId: filter.endpointId ?? null,
            before: filter.before?.toString() ?? null,
            limit: filter.limit,
          },
        });
        return repo.listDeliveries(tx, filter);
      }),
    async purgeDeliveries(before, bounds = DEFAULT_PURGE_BOUNDS) {
      let deleted = 0;
      for (let i = 0; i < bounds.maxChunks; i++) {
        const n = await repo.deleteFinishedBefore(db, before, bounds.chunk);
        deleted += n;
        if (n < bounds.chunk) return { deleted, more: false };
      }
      return { deleted, more: true };
    },
    outbox: {
      enqueue: (tx, owner, type, data) =>
        repo.enqueue(tx, {
          eventId: randomUUID(),
          owner,
          type,
          payloadJson: JSON.stringify(data),
          at: deps.now(),
        }),
    },
  };
}
