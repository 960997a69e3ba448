/**
 * Ledger handovers (docs/protocol.md §9.7; docs/threat-model.md "Liability", stolen till): a new
 * till of the same merchant takes over the ledger of a till reported lost or stolen. The
 * handover is stored, and the old till's settled head set to the one the new till names, in one
 * transaction with its audit line; settlement then admits batches of the old ledger signed by
 * the new till (settlement.admit.ts).
 */
import { equalBytes, toHex } from '@offpay/crypto';
import { decodeLedgerHandover, verifyLedgerHandover, type LedgerHead } from '@offpay/protocol';
import type { Database } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';
import type { AuditLog } from '../audit/audit.service.js';
import { handoverRefusal } from './handovers.domain.js';
import {
  findHandover,
  lockTillsByKid,
  resetPayeeHead,
  upsertHandover,
  type HandoverRow,
} from './handovers.repo.js';

/** A handover as stored. */
export interface HandoverOutcome {
  fromSerial: number;
  toSerial: number;
  /** The old ledger's settled head from now on. */
  from: LedgerHead;
}

/** Ledger handovers. */
export interface HandoversService {
  /**
   * Checks and stores a signed handover; the same handover again changes nothing, another one
   * replaces it (and sets the head again).
   * @throws PROTO_* when it does not decode or its signature does not verify under the new
   * till's key, BANK_UNKNOWN_PAYEE, BANK_HANDOVER_REFUSED
   */
  handover(bytes: Uint8Array): Promise<HandoverOutcome>;
}

/** Dependencies of {@link createHandoversService}. */
export interface HandoversDeps {
  db: Database;
  audit: AuditLog;
  now: () => Date;
}

const same = (a: HandoverRow | null, b: HandoverRow) =>
  a !== null &&
  a.toSerial === b.toSerial &&
  a.from.nextIndex === b.from.nextIndex &&
  equalBytes(a.from.head, b.from.head);

/** Builds the handovers service. */
export function createHandoversService(deps: HandoversDeps): HandoversService {
  return {
    async handover(bytes) {
      const h = decodeLedgerHandover(bytes);
      return deps.db.transaction(async (tx) => {
        const tills = await lockTillsByKid(tx, [h.fromPayeeKid, h.toPayeeKid]);
        const find = (kid: Uint8Array) => tills.find((t) => equalBytes(t.kid, kid));
        const [from, to] = [find(h.fromPayeeKid), find(h.toPayeeKid)];
        if (!from || !to) {
          const missing = toHex(from ? h.toPayeeKid : h.fromPayeeKid);
          bankFail('BANK_UNKNOWN_PAYEE', `No till has kid ${missing}`);
        }
        // The new till's signature first: nothing is said about any till to an unsigned request.
        verifyLedgerHandover(h, to.signKey);
        const reason = handoverRefusal(from, to, unixSeconds(deps.now()));
        if (reason)
          bankFail('BANK_HANDOVER_REFUSED', `Till ${to.serial} may not take over this ledger`, {
            reason,
          });
        const row = { fromSerial: from.serial, toSerial: to.serial, from: h.from };
        if (same(await findHandover(tx, from.serial), row)) return row;
        await upsertHandover(tx, { ...row, signed: bytes, at: deps.now() });
        await resetPayeeHead(tx, from.serial, h.from);
        await deps.audit.append(tx, {
          actor: `payee:${to.serial}`,
          action: 'ledger.handover',
          data: {
            fromSerial: String(from.serial),
            toSerial: String(to.serial),
            ...indexOf(h.from),
          },
        });
        return row;
      });
    },
  };
}

const indexOf = (head: LedgerHead) => ({ fromIndex: head.nextIndex, fromHead: toHex(head.head) });
