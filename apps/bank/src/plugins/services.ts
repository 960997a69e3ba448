/**
 * The composition root: builds every service from its dependencies, in order, once. Services
 * never import each other; what one needs of another is handed to its factory here.
 */
import fp from 'fastify-plugin';
import {
  DEFAULT_CONSOLE,
  DEFAULT_EVENTS,
  DEFAULT_WEBHOOKS,
  DEMO_DEBTOR_IBAN,
  type BankConfig,
} from '../config.js';
import { trackCommits } from '../kv/after-commit.js';
import { payeeLock, resultCache } from '../kv/fast-paths.js';
import {
  createAccountsService,
  type AccountsService,
} from '../modules/accounts/accounts.service.js';
import { createAuditLog, type AuditLog } from '../modules/audit/audit.service.js';
import { createConsoleService, type ConsoleService } from '../modules/console/console.service.js';
import { reconcile } from '../modules/reconcile/reconcile.service.js';
import { createAuthService, type AuthService } from '../modules/auth/auth.service.js';
import {
  createDepositsService,
  type DepositsDeps,
  type DepositsService,
} from '../modules/deposits/deposits.service.js';
import {
  createEnrollmentService,
  type EnrollmentService,
} from '../modules/enrollment/enrollment.service.js';
import { createSettlementEvents, type SettlementEvents } from '../modules/events/events.service.js';
import { createFraudService, type FraudService } from '../modules/fraud/fraud.service.js';
import {
  createHandoversService,
  type HandoversService,
} from '../modules/handovers/handovers.service.js';
import { createHealthService, type HealthService } from '../modules/health/health.service.js';
import {
  createMerchantsService,
  type MerchantsService,
} from '../modules/merchants/merchants.service.js';
import { createTotpVault } from '../modules/operators/operators.sealing.js';
import {
  createOperatorsService,
  type OperatorsService,
} from '../modules/operators/operators.service.js';
import { createRefundsService, type RefundsService } from '../modules/refunds/refunds.service.js';
import { createReportsService, type ReportsService } from '../modules/reports/reports.service.js';
import { createPayoutsService, type PayoutsService } from '../modules/payouts/payouts.service.js';
import {
  createReservesService,
  type ReservesService,
} from '../modules/reserves/reserves.service.js';
import {
  createRevocationsService,
  type RevocationsService,
} from '../modules/revocations/revocations.service.js';
import { createNativeVerifier } from '../modules/settlement/verify/native-verify.js';
import { createVerifyPool, type VerifyPool } from '../modules/settlement/verify/pool.js';
import { createMetrics, type BankMetrics } from '../observability/metrics.js';
import {
  alertsObserver,
  combineObservers,
  metricsObserver,
  verifyPoolObserver,
} from '../observability/settlement-observer.js';
import { revocationListObserver } from '../observability/revocation-observer.js';
import {
  createSettlementService,
  type SettlementService,
} from '../modules/settlement/settlement.service.js';
import { resolveKeyEncryptionSecret } from '../modules/keys/keys.kek.js';
import { createWebhookVault, type WebhookVault } from '../modules/webhooks/webhooks.sealing.js';
import {
  createWebhooksService,
  type WebhooksService,
} from '../modules/webhooks/webhooks.service.js';
import { createKeyring, type BankKeyring } from '../modules/keys/keys.service.js';

/** Every service of the bank. */
export interface Services {
  audit: AuditLog;
  keyring: BankKeyring;
  accounts: AccountsService;
  auth: AuthService;
  health: HealthService;
  enrollment: EnrollmentService;
  revocations: RevocationsService;
  reserves: ReservesService;
  reports: ReportsService;
  settlement: SettlementService;
  fraud: FraudService;
  handovers: HandoversService;
  events: SettlementEvents;
  operators: OperatorsService;
  merchants: MerchantsService;
  deposits: DepositsService;
  payouts: PayoutsService;
  refunds: RefundsService;
  webhooks: WebhooksService;
  console: ConsoleService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** The bank's clock: every rule that depends on time asks this, never `Date` directly. */
    now: () => Date;
    /** This instance's Prometheus metrics. */
    metrics: BankMetrics;
    /** Settlement's signature checks on worker threads (stopped when the app closes). */
    verifyPool: VerifyPool;
    /** Seals and opens webhook signing secrets (the delivery worker opens them). */
    webhookVault: WebhookVault;
  }
}

/** Options of the services plugin. */
export interface ServicesPluginOptions {
  config: BankConfig;
  now: () => Date;
}

async function jwtSecret(config: BankConfig, keyring: BankKeyring): Promise<Uint8Array> {
  // A configured secret is shared by every instance; otherwise one is generated and sealed in
  // the database, which every instance on that database then shares.
  return config.jwt.secret !== undefined
    ? new TextEncoder().encode(config.jwt.secret)
    : keyring.secret('jwt');
}

export default fp<ServicesPluginOptions>(
  async (app, { config, now }) => {
    const { kv } = app;
    // Cache invalidations (balances, revocation list) run after COMMIT: kv/after-commit.ts.
    const db = trackCommits(app.db);
    const kek = await resolveKeyEncryptionSecret(config);
    if (kek.repairedMode)
      app.log.warn('key-encryption secret file was readable by others: reset to 0600');
    const audit = createAuditLog({ now });
    const keyring = await createKeyring({
      db,
      keyEncryptionSecret: kek.secret,
      audit,
      now,
      retiredKemAcceptSeconds: config.retiredKemAcceptSeconds,
      // Rotations reach every instance at once; the database stays the truth (keys.service.ts).
      pubsub: kv.pubsub,
      onPubSubError: (err) =>
        app.log.warn(
          { err },
          'key rotation message not published or followed; the database decides',
        ),
    });
    app.addHook('onClose', () => keyring.close());
    const accounts = createAccountsService({ db, cache: kv.cache });
    const tokenSecret = await jwtSecret(config, keyring);
    const auth = await createAuthService({
      db,
      cache: kv.cache,
      audit,
      accounts,
      jwt: { ...config.jwt, secret: tokenSecret },
      scryptLog2N: config.passwordHashing.log2N,
      now,
      log: app.log.child({ module: 'auth' }),
    });
    const operators = await createOperatorsService({
      db,
      audit,
      vault: createTotpVault(kek.secret),
      jwt: { secret: tokenSecret, issuer: config.jwt.issuer, audience: config.jwt.audience },
      sessionSeconds: config.operators?.sessionSeconds ?? 900,
      scryptLog2N: config.passwordHashing.log2N,
      now,
    });
    const merchants = createMerchantsService({
      db,
      audit,
      record: (tx, actor, action) => operators.record(tx, actor, action),
      now,
    });
    const record: DepositsDeps['record'] = (tx, actor, action) =>
      operators.record(tx, actor, action);
    const webhookVault = createWebhookVault(kek.secret);
    const webhooks = createWebhooksService({
      db,
      vault: webhookVault,
      record,
      allowLocalHttp: (config.webhooks ?? DEFAULT_WEBHOOKS).allowLocalHttp,
      now,
    });
    const { outbox } = webhooks;
    const deposits = createDepositsService({ db, accounts, record, now });
    const payouts = createPayoutsService({
      db,
      accounts,
      audit,
      record,
      debtor: config.payoutDebtor ?? { name: 'offpay bank', iban: DEMO_DEBTOR_IBAN, bic: null },
      now,
      outbox,
    });
    const health = createHealthService({ db, kv });
    const metrics = createMetrics();
    const enrollment = createEnrollmentService({
      db,
      challenges: kv.challenges,
      accounts,
      audit,
      keyring,
      now,
      ...(config.enrollment ? { signInMaxAgeSeconds: config.enrollment.signInMaxAgeSeconds } : {}),
      ttl: {
        payerSeconds: config.certificates.payerTtlSeconds,
        payeeSeconds: config.certificates.payeeTtlSeconds,
      },
    });
    const revocations = await createRevocationsService({
      db,
      audit,
      keyring,
      now,
      cache: kv.cache,
      observeList: revocationListObserver(metrics, app.log),
      endSessions: (tx, userId) => auth.endSessions(tx, userId),
    });
    const reserves = createReservesService({ db, accounts, audit });
    const reports = createReportsService({ db });
    const refunds = createRefundsService({ db, accounts, audit, now, outbox });
    const fraud = createFraudService({
      db,
      keyring,
      audit,
      revoke: (tx, input) => revocations.revoke(tx, input),
    });
    const consoleConfig = config.console ?? DEFAULT_CONSOLE;
    const operatorConsole = createConsoleService({
      db,
      record,
      revoke: (tx, input) => revocations.revoke(tx, input),
      reconcile: () => reconcile(db),
      readiness: () => health.readiness(),
      now,
      activity: {
        intervalSeconds: consoleConfig.activitySeconds,
        maxStreamsPerOperator: consoleConfig.maxStreamsPerOperator,
      },
    });
    const handovers = createHandoversService({ db, audit, now });
    const verifier = createNativeVerifier();
    const verifyPool = createVerifyPool({
      verifier,
      ...config.verifyPool,
      ...verifyPoolObserver(metrics, app.log),
    });
    app.addHook('onClose', () => verifyPool.close());
    const events = createSettlementEvents({
      db,
      pubsub: kv.pubsub,
      maxStreamsPerUser: (config.events ?? DEFAULT_EVENTS).maxStreamsPerUser,
    });
    const settlement = createSettlementService({
      db,
      keyring,
      accounts,
      audit,
      verifier,
      verifyEntries: verifyPool.verifyEntries,
      recordFraudProof: (tx, proof) => fraud.record(tx, proof),
      now,
      observer: combineObservers(
        metricsObserver(metrics),
        alertsObserver(app.log),
        events.observer,
      ),
      resultCache: resultCache(kv.cache),
      payeeLock: payeeLock(kv.lock),
      outbox,
      ...(config.recoveryCapPercent === undefined
        ? {}
        : { recoveryCapPercent: config.recoveryCapPercent }),
    });
    app.decorate('now', now);
    app.decorate('metrics', metrics);
    app.decorate('verifyPool', verifyPool);
    app.decorate('webhookVault', webhookVault);
    app.decorate('services', {
      audit,
      keyring,
      accounts,
      auth,
      health,
      enrollment,
      revocations,
      reserves,
      reports,
      settlement,
      fraud,
      handovers,
      events,
      operators,
      merchants,
      deposits,
      payouts,
      refunds,
      webhooks,
      console: operatorConsole,
    });
  },
  { name: 'offpay-services', dependencies: ['offpay-db', 'offpay-kv'] },
);
