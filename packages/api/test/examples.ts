/**
 * One valid example of every part of every route (request and answer), as the bank sends and
 * accepts them today. Tests check that each parses, then change one leaf at a time to an
 * over-long or out-of-range value and check that it is refused.
 */
import type { RouteName } from '../src/index.js';

const b64 = (n: number, fill = 7) => Buffer.alloc(n, fill).toString('base64url');
const hex = (n: number, fill = 'ab') => fill.repeat(n);
const at = '2026-03-01T12:00:00.000Z';
const uuid = '0b6f2c1e-3d4a-4f5b-8c6d-7e8f9a0b1c2d';

const webhookEndpoint = {
  id: uuid,
  url: 'https://shop.example/hooks',
  events: ['settlement.settled', 'refund.created'],
  enabled: true,
  createdAt: at,
  disabledAt: null,
};
const webhookDelivery = {
  cursor: '98',
  eventId: uuid,
  endpointId: uuid,
  type: 'payout.paid',
  status: 'pending',
  attempts: 2,
  createdAt: at,
  nextAttemptAt: at,
  lastAttemptAt: at,
  lastStatusCode: 503,
  lastError: 'receiver answered 503',
  deliveredAt: null,
};
const issued = { serial: '42', certificate: b64(180), expiresAt: at, currency: 'EUR' };
const entry = { index: 3, paymentId: hex(32), status: 'rejected', code: 'PROTO_CERT_EXPIRED' };
const fraudEntry = {
  index: 5,
  paymentId: hex(32, 'ef'),
  status: 'rejected',
  code: 'PROTO_FRAUD_EQUIVOCATION',
  details: { fraudProofId: '7', fraudProofPath: '/v1/fraud-proofs/7' },
};
const event = {
  batchKey: hex(32),
  payeeKid: hex(8),
  fromIndex: 3,
  head: hex(32),
  settledAt: 1_772_366_400,
  results: [entry, { ...entry, index: 4, status: 'settled', code: '' }, fraudEntry],
};
const storedProof = {
  id: '7',
  path: '/v1/fraud-proofs/7',
  serial: '42',
  kind: 'equivocation',
  first: hex(32),
  second: hex(32, 'cd'),
  proof: b64(700),
  issuerKid: hex(8),
  issuerPublicKey: `02${hex(32)}`,
  storedAt: at,
};
const key = {
  kid: hex(8),
  publicKey: `02${hex(32)}`,
  createdAt: at,
  retiredAt: null,
  previousKid: hex(8),
  announcement: hex(120),
};

const application = {
  id: uuid,
  state: 'pending',
  legalName: 'Bob Martin SARL',
  displayName: "Bob's Market",
  contact: 'bob@example.com',
  submittedAt: at,
  decidedAt: null,
  reason: null,
};
const forOperator = { ...application, userId: uuid, email: 'bob@example.com' };

const depositView = {
  id: '12',
  reference: 'STMT-2026-03-01/0007',
  accountId: uuid,
  currency: 'EUR',
  amountMinor: '12500',
  valueDate: '2026-03-01',
  description: 'Top-up from Alice Martin',
  importId: '3',
  operatorId: uuid,
  createdAt: at,
};
const iban = 'FR1420041010050500013M02606';
const payoutView = {
  id: uuid,
  state: 'in_flight',
  currency: 'EUR',
  amountMinor: '4200',
  payoutAccountId: uuid,
  iban,
  requestedAt: at,
  decidedAt: at,
  reason: 'Within limits',
  batchId: uuid,
  settledAt: null,
};
const payoutForOperator = {
  ...payoutView,
  userId: uuid,
  email: 'bob@example.com',
  holderName: 'Bob Martin',
  settledReason: null,
};
const payoutStep = {
  params: { id: uuid },
  body: { reason: 'Bank statement line 14' },
  response: payoutForOperator,
};

const consoleAccountView = {
  accountId: uuid,
  holder: 'merchant',
  kind: 'customer',
  userId: uuid,
  email: 'bob@example.com',
  displayName: "Bob's Market",
  currency: 'EUR',
  balanceMinor: '12500',
  reservedMinor: '2000',
  payoutsInFlightMinor: '4200',
  createdAt: at,
};
const recoveryView = {
  currency: 'EUR',
  limitMinor: '2000',
  settledMinor: '2600',
  reserveUsedMinor: '2000',
  beyondReserveMinor: '600',
  recoveredFromBalanceMinor: '500',
  unrecoveredMinor: '100',
};
const payerView = { userId: uuid, email: 'alice@example.com', accountId: uuid };
const proofSummary = {
  id: '7',
  serial: '42',
  kind: 'equivocation',
  detectedAt: at,
  payer: payerView,
  recovery: recoveryView,
  revokedAt: at,
};
const decoded = {
  paymentId: hex(32),
  payerSerial: '42',
  counter: 3,
  prev: hex(32, 'cd'),
  payeeKid: hex(8),
  payeeSerial: '43',
  payeeName: "Bob's Market",
  amountMinor: '250',
  spentMinor: '900',
  currency: 'EUR',
  createdAt: at,
  status: 'settled',
  settledAt: at,
};
const certificateView = {
  serial: '42',
  kind: 'payer',
  status: 'revoked',
  revocation: { reason: 'compromised', at },
  owner: payerView,
  displayName: null,
  currency: 'EUR',
  limitMinor: '2000',
  settledMinor: '250',
  issuedAt: at,
  expiresAt: at,
  closedAt: at,
};
const tally = { count: 3, valueMinor: '750' };

/** Parts of a route's exchange: what a client sends and what the bank answers. */
export interface Example {
  params?: unknown;
  query?: unknown;
  headers?: unknown;
  body?: unknown;
  response: unknown;
  event?: unknown;
}

/** An example of every route. */
export const EXAMPLES: Record<RouteName, Example> = {
  register: {
    body: {
      email: 'ann@example.com',
      password: 'correct horse',
      displayName: 'Ann',
      currency: 'EUR',
    },
    response: {
      userId: uuid,
      accountId: uuid,
      email: 'ann@example.com',
      displayName: 'Ann',
      currency: 'EUR',
    },
  },
  login: {
    body: { email: 'ann@example.com', password: 'correct horse' },
    response: { accessToken: 'eyJ.eyJ.sig', tokenType: 'Bearer', expiresIn: 900, expiresAt: at },
  },
  logout: { response: null },
  accounts: {
    response: {
      userId: uuid,
      accounts: [{ accountId: uuid, kind: 'customer', currency: 'EUR', balanceMinor: '1000' }],
    },
  },
  accountHistory: {
    query: { limit: '20', before: '99' },
    response: {
      items: [
        {
          postingId: '7',
          transferId: '3',
          kind: 'reserve',
          reference: 'payer:42',
          accountId: uuid,
          currency: 'EUR',
          amountMinor: '-500',
          at,
        },
      ],
      nextBefore: '7',
    },
  },
  keys: { response: { signKeys: [key], kemKeys: [{ ...key, retiredAt: at }] } },
  bankPublicKey: { response: { kid: hex(8), publicKey: `03${hex(32)}` } },
  rotateKeys: {
    body: { kind: 'both', reason: 'Scheduled yearly rotation' },
    response: { signKey: key, kemKey: key },
  },
  enrollmentChallenge: {
    response: { challengeId: b64(16), challenge: b64(32), expiresAt: at },
  },
  enrollPayer: {
    body: {
      challengeId: b64(16),
      signKey: b64(33),
      signature: b64(64),
      limitMinor: '5000',
      currency: 'EUR',
    },
    response: { ...issued, limitMinor: '5000' },
  },
  enrollPayee: {
    body: { challengeId: b64(16), signKey: b64(33), kemKey: b64(33), signature: b64(64) },
    response: { ...issued, displayName: "Bob's Market" },
  },
  closeCertificate: {
    params: { serial: '42' },
    response: { serial: '42', kind: 'payer', status: 'closed', reason: 'closed', closedAt: at },
  },
  reportCertificate: {
    params: { serial: '42' },
    body: { reason: 'stolen' },
    response: {
      serial: '42',
      kind: 'payee',
      status: 'revoked',
      reason: 'compromised',
      closedAt: at,
      reportedAt: at,
      signedOut: true,
    },
  },
  certificates: {
    response: {
      certificates: [
        {
          serial: '43',
          kind: 'payee',
          status: 'revoked',
          currency: 'EUR',
          limitMinor: null,
          displayName: "Bob's Market",
          issuedAt: at,
          expiresAt: at,
          closedAt: at,
          reason: 'compromised',
          reportedAt: at,
          handedOverTo: '44',
        },
        {
          serial: '42',
          kind: 'payer',
          status: 'active',
          currency: 'EUR',
          limitMinor: '2000',
          displayName: null,
          issuedAt: at,
          expiresAt: at,
          closedAt: null,
          reason: null,
          reportedAt: null,
          handedOverTo: null,
        },
      ],
    },
  },
  ledgerHandover: {
    body: { handover: b64(130) },
    response: { fromSerial: '43', toSerial: '44', nextIndex: 12, head: hex(32) },
  },
  revocations: {
    query: { since: '2' },
    response: {
      kind: 'delta',
      fromSeq: 2,
      toSeq: 3,
      issuedAt: at,
      added: ['42'],
      removed: [],
      signed: b64(100),
      bankTime: at,
    },
  },
  payerSync: {
    response: {
      bankTime: at,
      certificates: [
        {
          serial: '42',
          status: 'active',
          currency: 'EUR',
          limitMinor: '5000',
          settledMinor: '1200',
          reserveRemainingMinor: '3800',
          expiresAt: at,
          closedAt: null,
          reserveReleasedAt: null,
          payments: [
            {
              paymentId: hex(32),
              counter: 1,
              amountMinor: '1200',
              settledAt: at,
              refundedMinor: '200',
            },
          ],
          paymentsTruncated: false,
        },
      ],
    },
  },
  merchantSettlementsCsv: {
    query: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00+01:00' },
    response: 'settled_at,payment_id\r\n',
  },
  settle: {
    headers: { 'idempotency-key': hex(32) },
    body: { offpay: 1, type: 'settlement-batch', entries: 2, data: b64(300) },
    response: { ...event, replayed: false, signed: b64(400) },
  },
  settlementResult: {
    params: { batchKey: hex(32) },
    response: { ...event, replayed: true, signed: b64(400) },
  },
  refundPayment: {
    params: { paymentId: hex(32) },
    headers: { 'idempotency-key': uuid },
    body: { amountMinor: '250', reason: 'Returned item' },
    response: {
      refund: {
        refundId: uuid,
        paymentId: hex(32),
        amountMinor: '250',
        currency: 'EUR',
        reason: 'Returned item',
        transferId: '17',
        createdAt: at,
      },
      payment: {
        paymentId: hex(32),
        currency: 'EUR',
        settledMinor: '1000',
        refundedMinor: '250',
        refundableMinor: '750',
        refunds: [],
      },
      replayed: false,
    },
  },
  paymentRefunds: {
    params: { paymentId: hex(32) },
    response: {
      paymentId: hex(32),
      currency: 'EUR',
      settledMinor: '1000',
      refundedMinor: '0',
      refundableMinor: '1000',
      refunds: [],
    },
  },
  settlementEvents: {
    query: { payeeKid: hex(8) },
    response: 'event: settlement\n\n',
    event,
  },
  reportFraudProof: {
    body: { proof: b64(700) },
    response: { serial: '42', kind: 'fork', first: hex(32), second: hex(32, 'cd'), revoked: true },
  },
  fraudProofs: {
    query: { payerSerial: '42' },
    response: { proofs: [storedProof] },
  },
  fraudProof: {
    params: { id: '7' },
    response: storedProof,
  },
  applyAsMerchant: {
    body: { legalName: 'Bob Martin SARL', displayName: "Bob's Market", contact: 'bob@example.com' },
    response: application,
  },
  merchantStatus: {
    response: {
      application: { ...application, state: 'approved', decidedAt: at, reason: 'papers checked' },
      verified: { displayName: "Bob's Market", verifiedAt: at },
    },
  },
  operatorLogin: {
    body: { email: 'ops@example.com', password: 'correct horse', code: '123456' },
    response: {
      accessToken: 'eyJ.eyJ.sig',
      tokenType: 'Bearer',
      expiresIn: 900,
      expiresAt: at,
      operator: { id: uuid, email: 'ops@example.com', role: 'operator' },
    },
  },
  operatorLogout: { response: null },
  operatorMe: { response: { id: uuid, email: 'ops@example.com', role: 'auditor' } },
  operatorAudit: {
    query: { after: '10', limit: 20 },
    response: {
      entries: [
        {
          id: '11',
          at,
          actor: `operator:${uuid}`,
          action: 'merchant.approved',
          data: { reason: 'papers checked', revoked: false, count: 2, note: null },
        },
      ],
      chain: { ok: true, count: 11, brokenAt: null },
    },
  },
  listMerchantApplications: {
    query: { state: 'pending', limit: 20 },
    response: { applications: [forOperator] },
  },
  getMerchantApplication: { params: { id: uuid }, response: forOperator },
  approveMerchantApplication: {
    params: { id: uuid },
    body: { reason: 'Registry extract and ID checked' },
    response: { ...forOperator, state: 'approved', decidedAt: at, reason: 'checked' },
  },
  refuseMerchantApplication: {
    params: { id: uuid },
    body: { reason: 'Imitates an existing shop' },
    response: { ...forOperator, state: 'refused', decidedAt: at, reason: 'Imitates' },
  },
  createDeposit: {
    body: {
      reference: 'STMT-2026-03-01/0007',
      account: 'alice@example.com',
      amountMinor: '12500',
      currency: 'EUR',
      valueDate: '2026-03-01',
      description: 'Top-up',
      reason: 'Statement of 1 March, line 7',
    },
    response: { outcome: 'applied', deposit: depositView },
  },
  listDeposits: { query: { before: '13', limit: '20' }, response: { deposits: [depositView] } },
  importStatement: {
    body: {
      csv: 'reference,date,account,amount_minor,currency,description\r\nA1,2026-03-01,alice@example.com,100,EUR,x\r\n',
      reason: 'Statement of 1 March',
    },
    response: {
      importId: '3',
      counts: { total: 2, applied: 1, alreadyApplied: 0, refused: 1 },
      rows: [
        {
          line: 2,
          reference: 'A1',
          outcome: 'applied',
          depositId: '12',
          code: null,
          message: null,
        },
        {
          line: 3,
          reference: 'A2',
          outcome: 'refused',
          depositId: null,
          code: 'BANK_ACCOUNT_NOT_FOUND',
          message: 'No customer account',
        },
      ],
    },
  },
  registerPayoutAccount: {
    body: { iban: 'FR14 2004 1010 0505 0001 3M02 606', holderName: 'Bob Martin' },
    response: { id: uuid, iban, holderName: 'Bob Martin', createdAt: at },
  },
  payoutAccounts: {
    response: { accounts: [{ id: uuid, iban, holderName: 'Bob Martin', createdAt: at }] },
  },
  requestPayout: {
    headers: { 'idempotency-key': 'payout-0001-abcd' },
    body: { payoutAccountId: uuid, amountMinor: '4200', currency: 'EUR' },
    response: { ...payoutView, state: 'requested', decidedAt: null, reason: null, batchId: null },
  },
  myPayouts: { query: { limit: '10' }, response: { payouts: [payoutView] } },
  operatorPayouts: {
    query: { state: 'approved', limit: '10' },
    response: { payouts: [payoutForOperator] },
  },
  approvePayout: payoutStep,
  refusePayout: payoutStep,
  confirmPayout: payoutStep,
  failPayout: payoutStep,
  exportPayoutBatch: {
    body: { currency: 'EUR', reason: 'Daily payout run' },
    response: {
      id: uuid,
      messageId: 'OFFPAY0b6f2c1e3d4a4f5b8c6d7e8f9a0b',
      currency: 'EUR',
      payouts: 3,
      totalMinor: '12600',
      createdAt: at,
      path: `/v1/operator/payout-batches/${uuid}/pain.001`,
    },
  },
  payoutBatchFile: { params: { id: uuid }, response: '<?xml version="1.0"?><Document/>' },
  payoutBatchCsv: { params: { id: uuid }, response: 'end_to_end_id,payout_id\r\n' },
  createWebhook: {
    body: { url: 'https://shop.example/hooks', events: ['settlement.settled', 'refund.created'] },
    response: { endpoint: webhookEndpoint, secret: `whsec_${b64(32)}` },
  },
  listWebhooks: { response: { endpoints: [webhookEndpoint] } },
  disableWebhook: {
    params: { id: uuid },
    response: { ...webhookEndpoint, enabled: false, disabledAt: at },
  },
  webhookDeliveries: {
    params: { id: uuid },
    query: { limit: '20', before: '99' },
    response: { deliveries: [webhookDelivery] },
  },
  operatorWebhookDeliveries: {
    query: { status: 'failed', endpointId: uuid, limit: '20', before: '99' },
    response: {
      deliveries: [{ ...webhookDelivery, userId: uuid, url: 'https://shop.example/hooks' }],
    },
  },
  operatorAccounts: {
    query: { query: 'bob', holder: 'merchant', after: uuid, limit: '20' },
    response: { accounts: [consoleAccountView], nextAfter: uuid },
  },
  operatorAccount: {
    params: { id: uuid },
    query: { before: '99', limit: '20' },
    response: {
      account: consoleAccountView,
      postings: [
        {
          postingId: '98',
          transferId: '40',
          kind: 'settlement',
          reference: 'batch:12',
          amountMinor: '250',
          counterparties: [
            { accountId: uuid, kind: 'reserve', email: 'alice@example.com', amountMinor: '-250' },
          ],
          at,
        },
      ],
      nextBefore: '98',
    },
  },
  operatorAccountStatement: {
    params: { id: uuid },
    query: { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    response: 'line,at,posting_id\r\n',
  },
  operatorRefunds: {
    query: { before: '17', limit: '20' },
    response: {
      refunds: [
        {
          refundId: uuid,
          paymentId: hex(32),
          amountMinor: '250',
          currency: 'EUR',
          reason: 'Returned item',
          transferId: '16',
          createdAt: at,
          merchantUserId: uuid,
          merchantEmail: 'bob@example.com',
          payerEmail: 'alice@example.com',
          payerSerial: '42',
          payeeSerial: '43',
        },
      ],
      nextBefore: '16',
    },
  },
  operatorFraudProofs: {
    query: { before: '8', limit: '20' },
    response: { proofs: [proofSummary], nextBefore: '7' },
  },
  operatorFraudProof: {
    params: { id: '7' },
    response: {
      ...proofSummary,
      first: decoded,
      second: { ...decoded, paymentId: hex(32, 'ef'), status: 'unknown', settledAt: null },
      path: '/v1/fraud-proofs/7',
    },
  },
  operatorCertificates: {
    query: { kind: 'payer', status: 'revoked', query: 'alice', before: '50', limit: '20' },
    response: { certificates: [certificateView], nextBefore: '42' },
  },
  revokeCertificate: {
    params: { serial: '42' },
    body: { revocationReason: 'compromised', reason: 'Phone reported stolen by its owner' },
    response: {
      serial: '42',
      kind: 'payer',
      status: 'revoked',
      reason: 'compromised',
      closedAt: at,
      revokedNow: true,
      publishedSeq: 4,
    },
  },
  runReconcile: {
    response: {
      ok: false,
      checkedAt: at,
      checked: { certificates: 4, settlements: 2, payments: 9, proofs: 1, deposits: 3, payouts: 1 },
      findings: [
        {
          code: 'LEDGER_BALANCE_DRIFT',
          detail: 'A stored balance is not the sum of its postings',
          rowCount: 1,
          rows: [{ accountId: uuid, balance: '100', postings: '90' }],
        },
      ],
      findingsTruncated: false,
    },
  },
  operatorSummary: {
    query: { date: '2026-03-01' },
    response: {
      date: '2026-03-01',
      from: at,
      to: at,
      currencies: [
        {
          currency: 'EUR',
          settlements: tally,
          refunds: tally,
          deposits: tally,
          payoutsPaid: tally,
          payoutsFailed: tally,
          reservesOutstandingMinor: '4000',
        },
      ],
      fraudProofs: 1,
      revocations: { total: 2, byReason: { fraud: 1, closed: 0, compromised: 1 } },
      newMerchants: 1,
    },
  },
  operatorSummaryCsv: { query: { date: '2026-03-01' }, response: 'date,metric\r\n' },
  operatorActivity: {
    response: 'event: activity\n\n',
    event: {
      at,
      intervalSeconds: 5,
      settlementsLastMinute: [{ currency: 'EUR', ...tally }],
      reservesOutstanding: [{ currency: 'EUR', valueMinor: '4000' }],
      fraudProofs: { last24h: 1, total: 3 },
      revocations: { last24h: 2, total: 5 },
      database: 'ok',
      redis: 'down',
    },
  },
  health: { response: { status: 'ok' } },
  readiness: { response: { status: 'degraded', database: 'ok', redis: 'down' } },
};
