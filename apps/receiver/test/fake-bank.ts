/**
 * A bank for the settlement tests, speaking BankClient's settle/events: it opens the sealed batch
 * with the test bank's KEM key, checks the payee's signature and continuity from its stored head,
 * signs a result (every entry settled unless told otherwise), and answers an equal batch with
 * its stored result — the exactly-once rules of apps/bank, in miniature.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeSettlementResult,
  openSettlementBatch,
  signSettlementResult,
  verifySettlementBatch,
  type LedgerHead,
} from '@offpay/protocol';
import {
  BankRefusal,
  type BankClient,
  type SettledEntry,
  type SettlementAnswer,
  type SettlementEvent,
} from '@offpay/app-kit';
import { NOW, type TestTill } from './helpers.js';

export class FakeBank {
  head: LedgerHead;
  readonly stored = new Map<string, SettlementAnswer>();
  readonly settledIds = new Set<string>();
  /** Codes to reject entries with, by ledger index. */
  readonly rejectAt = new Map<number, Exclude<SettledEntry['code'], ''>>();
  posts = 0;
  /** When set, opening the live event stream fails with this. */
  eventsError?: Error;
  private listeners: ((e: SettlementEvent) => void)[] = [];
  /** When set, the answer is replaced by this (a forged or broken answer). */
  tamper?: (answer: SettlementAnswer) => SettlementAnswer;
  /** When set, the live event is replaced by this (the stream is not signed: it may be wrong). */
  tamperLive?: (event: SettlementEvent) => SettlementEvent;
  /** The till was reported lost or stolen: its own key settles nothing (§9.4 step 9). */
  revoked = false;
  /** The successor's signing key once the ledger was handed over (§9.7): it signs the batches. */
  successorKey?: Uint8Array;

  constructor(private readonly t: TestTill) {
    this.head = emptyLedgerHead(t.till.cert.serial);
  }

  /** The BankClient the till talks to. */
  client(): BankClient {
    const fake = {
      baseUrl: 'http://bank.test',
      settle: (sealed: Uint8Array) => Promise.resolve().then(() => this.settle(sealed)),
      events: (
        _token: string,
        _kid: string,
        onEvent: (e: SettlementEvent) => void,
        signal: AbortSignal,
      ) => {
        if (this.eventsError) return Promise.reject(this.eventsError);
        this.listeners.push(onEvent);
        signal.addEventListener('abort', () => {
          this.listeners = this.listeners.filter((l) => l !== onEvent);
        });
        return Promise.resolve();
      },
    };
    return fake as unknown as BankClient;
  }

  /** Settles a sealed batch as POST /v1/settlements does (the answer also goes to listeners). */
  settle(sealed: Uint8Array): SettlementAnswer {
    this.posts++;
    const bytes = openSettlementBatch(sealed, (kemKid) => (kemKid ? this.t.bank.kemSk : undefined));
    const batch = decodeSettlementBatch(bytes);
    const key = toHex(batch.batchKey);
    if (this.revoked && !this.successorKey) {
      throw new BankRefusal('BANK_PAYEE_REVOKED', 'revoked', 403);
    }
    verifySettlementBatch(batch, this.successorKey ?? this.t.till.cert.signKey);
    const earlier = this.stored.get(key);
    if (earlier) return { ...earlier, replayed: true };
    if (batch.fromIndex !== this.head.nextIndex || !equalBytes(batch.prevHead, this.head.head)) {
      throw new BankRefusal('BANK_BATCH_NOT_CONTINUOUS', 'not continuous', 409, {
        expectedFromIndex: this.head.nextIndex,
      });
    }
    const results = batch.entries.map((p, i) => {
      const index = batch.fromIndex + i;
      const id = toHex(p.paymentId);
      const code = this.rejectAt.get(index);
      if (code) return { index, paymentId: p.paymentId, status: 'rejected' as const, code };
      const status = this.settledIds.has(id) ? ('duplicate' as const) : ('settled' as const);
      this.settledIds.add(id);
      return { index, paymentId: p.paymentId, status, code: '' as const };
    });
    const result = signSettlementResult(
      {
        payeeKid: batch.payeeKid,
        batchKey: batch.batchKey,
        fromIndex: batch.fromIndex,
        results,
        head: batch.head,
        // The bank settles at the tests' clock: its signed time becomes the till's clock floor.
        settledAt: NOW,
      },
      this.t.bank.signSk,
    );
    this.head = { nextIndex: batch.fromIndex + batch.entries.length, head: batch.head };
    const event: SettlementEvent = {
      batchKey: key,
      payeeKid: toHex(batch.payeeKid),
      fromIndex: batch.fromIndex,
      head: toHex(batch.head),
      settledAt: result.settledAt,
      results: results.map((r) => ({ ...r, paymentId: toHex(r.paymentId) })),
    };
    const answer: SettlementAnswer = {
      ...event,
      replayed: false,
      signed: encodeSettlementResult(result),
    };
    this.stored.set(key, answer);
    const live = this.tamperLive ? this.tamperLive(event) : event;
    for (const l of this.listeners) l(live);
    return this.tamper ? this.tamper(answer) : answer;
  }
}
