/** What a receiver reads from the bank about keys and revocations, verified as it verifies them. */
import { fromBase64Url, fromHex } from '@offpay/crypto';
import {
  bankKeySet,
  verifyRevocationDelta,
  verifyRevocationList,
  type BankKeys,
} from '@offpay/protocol';
import type { TestBank } from './bank.js';

/** The bank's signing keys as a client pins them, from GET /v1/keys. */
export async function pinnedKeys(bank: TestBank): Promise<BankKeys> {
  const res = await bank.get('/v1/keys');
  const keys = res.json<{ signKeys: { publicKey: string }[] }>().signKeys;
  return bankKeySet(keys.map((k) => fromHex(k.publicKey)));
}

/** GET /v1/revocations as its JSON says it. */
export interface RevocationListBody {
  seq: number;
  issuedAt: string;
  serials: string[];
  signed: string;
}

/**
 * The latest revocation list, its signed bytes verified under the pinned keys and its JSON
 * serials checked against them, as a receiver trusts it.
 * @throws when the answer is not 200 or the JSON and the signed list disagree
 */
export async function revocationList(bank: TestBank): Promise<RevocationListBody> {
  const res = await bank.get('/v1/revocations');
  if (res.statusCode !== 200) throw new Error(`revocations: ${res.statusCode} ${res.body}`);
  const body = res.json<RevocationListBody>();
  const list = verifyRevocationList(fromBase64Url(body.signed), await pinnedKeys(bank));
  if (list.seq !== body.seq || list.serials.join() !== body.serials.join())
    throw new Error('the JSON of the revocation list differs from the signed list');
  return body;
}

/** The serials on the latest revocation list, verified. */
export async function revokedSerials(bank: TestBank): Promise<number[]> {
  return (await revocationList(bank)).serials.map(Number);
}

/** GET /v1/revocations?since= as its JSON says it: a full list or a delta. */
export type RevocationsAnswer =
  | (RevocationListBody & { kind: 'list' })
  | {
      kind: 'delta';
      fromSeq: number;
      toSeq: number;
      issuedAt: string;
      added: string[];
      removed: string[];
      signed: string;
    };

/**
 * GET /v1/revocations?since=`since`, its signed bytes verified under the pinned keys and its JSON
 * checked against them, as a device trusts it.
 * @throws when the answer is not 200 or the JSON and the signed bytes disagree
 */
export async function revocationsSince(bank: TestBank, since: number): Promise<RevocationsAnswer> {
  const res = await bank.get(`/v1/revocations?since=${since}`);
  if (res.statusCode !== 200) throw new Error(`revocations: ${res.statusCode} ${res.body}`);
  const body = res.json<RevocationsAnswer>();
  const keys = await pinnedKeys(bank);
  const signed = fromBase64Url(body.signed);
  const same =
    body.kind === 'list'
      ? ((l) => l.seq === body.seq && l.serials.join() === body.serials.join())(
          verifyRevocationList(signed, keys),
        )
      : ((d) =>
          d.fromSeq === body.fromSeq &&
          d.toSeq === body.toSeq &&
          d.added.join() === body.added.join() &&
          d.removed.join() === body.removed.join())(verifyRevocationDelta(signed, keys));
  if (!same) throw new Error('the JSON of the revocations answer differs from the signed bytes');
  return body;
}
