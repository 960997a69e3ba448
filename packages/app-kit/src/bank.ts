/**
 * The bank's HTTP API as the apps use it. Every answer is parsed and bounded before use; a
 * network failure is AppError APP_OFFLINE, a refusal is BankError with the bank's code. Tokens
 * are passed in by the caller and kept in memory only (never localStorage, never a URL).
 */

/** GET /v1/keys, decoded: what the apps pin at enrollment. */
export interface BankKeysInfo {
  /** Every bank signing key (compressed SEC1), current and retired: certificates name their issuer. */
  signKeys: Uint8Array[];
  /** The current KEM key (settlement batches are sealed to it). */
  kemKey: Uint8Array;
}

export interface EnrolledCertificate {
  serial: string;
  /** The certificate wire bytes (decode with decodePayerCertificate / decodePayeeCertificate). */
  certificate: Uint8Array;
  expiresAt: string;
  currency: string;
}

/** GET /v1/revocations: the signed list (verify it with verifyRevocationList) and the bank's clock. */
export interface RevocationsInfo {
  seq: number;
  signed: Uint8Array;
  /** The bank's clock when it answered, Unix seconds. */
  bankTime: number;
}

/** GET /v1/payer/sync */
export interface PayerSync {
  bankTime: number;
  certificates: {
    serial: string;
    status: 'active' | 'closed' | 'revoked';
    limitMinor: string;
    settledMinor: string;
    expiresAt: string;
    payments: { paymentId: string; counter: number; amountMinor: string; settledAt: string }[];
  }[];
}

/** One entry's outcome in a settlement answer or event. */
export interface SettledEntry {
  index: number;
  paymentId: string;
  status: 'settled' | 'duplicate' | 'rejected';
  code: string;
}

/** POST /v1/settlements answer, and the data of an SSE `settlement` event (no `signed`/`replayed`). */
export interface SettlementAnswer {
  batchKey: string;
  payeeKid: string;
  fromIndex: number;
  head: string;
  settledAt: number;
  replayed?: boolean;
  results: SettledEntry[];
  signed?: Uint8Array;
}

export interface AccountView {
  kind: string;
  currency: string;
  balanceMinor: string;
}

export class BankClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {
    void this.fetchImpl;
  }

  keys(): Promise<BankKeysInfo> {
    throw new Error('app-kit: BankClient.keys not implemented yet');
  }
  /** @returns the access token */
  login(email: string, password: string): Promise<string> {
    void email;
    void password;
    throw new Error('app-kit: BankClient.login not implemented yet');
  }
  challenge(token: string): Promise<{ challengeId: string; challenge: Uint8Array }> {
    void token;
    throw new Error('app-kit: not implemented yet');
  }
  enrollPayer(
    token: string,
    body: { challengeId: string; signKey: Uint8Array; signature: Uint8Array; limitMinor: bigint },
  ): Promise<EnrolledCertificate & { limitMinor: string }> {
    void token;
    void body;
    throw new Error('app-kit: not implemented yet');
  }
  enrollPayee(
    token: string,
    body: { challengeId: string; signKey: Uint8Array; kemKey: Uint8Array; signature: Uint8Array },
  ): Promise<EnrolledCertificate & { displayName: string }> {
    void token;
    void body;
    throw new Error('app-kit: not implemented yet');
  }
  revocations(): Promise<RevocationsInfo> {
    throw new Error('app-kit: not implemented yet');
  }
  payerSync(token: string): Promise<PayerSync> {
    void token;
    throw new Error('app-kit: not implemented yet');
  }
  accounts(token: string): Promise<AccountView[]> {
    void token;
    throw new Error('app-kit: not implemented yet');
  }
  /** POST /v1/settlements with the sealed batch bytes (no login). */
  settle(sealedBatch: Uint8Array): Promise<SettlementAnswer> {
    void sealedBatch;
    throw new Error('app-kit: not implemented yet');
  }
  /**
   * GET /v1/settlements/events as a stream read with fetch (Bearer header; EventSource cannot
   * send one). Calls `onEvent` per `settlement` event until `signal` aborts. Resolves once the
   * stream is open (so the caller may then post the batch), and never rejects after that.
   */
  events(
    token: string,
    payeeKidHex: string,
    onEvent: (event: SettlementAnswer) => void,
    signal: AbortSignal,
  ): Promise<void> {
    void token;
    void payeeKidHex;
    void onEvent;
    void signal;
    throw new Error('app-kit: not implemented yet');
  }
}
