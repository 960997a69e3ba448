/**
 * The offline-trust simulation (issue #12 item 7; docs/threat-model.md "Simulation"): honest
 * payers, malicious payers of every kind and thieves with stolen wallet keys and tills of their own
 * pay M tills offline over random rounds; tills check each payment as the receiver app does
 * (`verifyOpenedPayment`) against a revocation list that reaches them late, and settle in random
 * order at random times. After every settlement and at the end it asserts: the bank loses nothing
 * beyond reserves and recovered balances; every cheat is proven at the first settlement that
 * reveals it, and no honest payer is ever flagged; each holder's loss is within §4.1's bound; each
 * merchant's loss within its documented exposure; the bank's balances equal the model's figures.
 * Seeded: the seed is printed first, `SIM_SEED` replays it, `SIM_LONG=1` runs the long setting.
 */
import { malleate, randomBytes, toHex } from '@offpay/crypto';
import {
  createPayment,
  decodePayment,
  encodePayment,
  ProtocolError,
  verifyOpenedPayment,
  type BankKeys,
  type Payment,
  type PayerChainState,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  auth,
  craftPayment,
  reserveViolations,
  useWorld,
  type PayeeDevice,
  type PayerDevice,
} from '../helpers/world.js';
import { assertLedgerInvariants } from '../helpers/ledger.js';
import {
  acceptedOffline,
  CHEAT_KINDS,
  formatTable,
  holderBound,
  holderLoss,
  NEVER_FLAGGED,
  PROVEN_KINDS,
  RECOVERY_CAP_PERCENT,
  refusedOffline,
  Revealer,
  Rng,
  rows,
  settingFromEnv,
  settledEntry,
  till,
  tillExposure,
  type Holder,
  type HolderKind,
  type Till,
} from './simulation.js';

const { setting, seed } = settingFromEnv(process.env);
console.log(`offline-trust simulation: seed ${seed} (SIM_SEED=${seed} replays), ${setting.name}`);

const world = useWorld({ config: { recoveryCapPercent: RECOVERY_CAP_PERCENT } });

/** A payer as the simulation drives it: the device, its chain state, and the model's holder. */
interface Payer {
  holder: Holder;
  device: PayerDevice;
  state: PayerChainState;
  /** The chain state a thief copied at the theft (stolen keys). */
  thiefState?: PayerChainState;
  /** Whether the cheat was played already (one-shot kinds). */
  done: boolean;
}

/** A till as the simulation drives it: the device and the model's till. */
interface Tl {
  model: Till;
  device: PayeeDevice;
}

/** Who signed each payment (by paymentId hex): its holder and whether it was the holder's own. */
const signedBy = new Map<string, { holder: Holder; own: boolean }>();
/** Payment ids the bank settled. */
const settledIds = new Set<string>();

describe('the offline-trust simulation', () => {
  it(`${setting.name}: cheats proven, honest payers never flagged, every loss within its bound`, async () => {
    const rng = new Rng(seed);
    let funded = 0n;
    const newHolder = (name: string, kind: HolderKind, device: PayerDevice, f: bigint): Payer => {
      funded += f;
      return {
        holder: {
          name,
          kind,
          serial: device.cert.serial,
          limit: BigInt(device.cert.limit),
          funded: f,
          settled: 0n,
          ownSettled: 0n,
        },
        device,
        state: device.chain,
        done: false,
      };
    };
    const enroll = async (name: string, kind: HolderKind): Promise<Payer> => {
      const limit = BigInt(rng.int(10, 50) * 100);
      // Up to four times the limit besides the reserve: enough for recovery to reach the cap.
      const f = limit + (limit * BigInt(rng.int(0, 8))) / 2n;
      return newHolder(name, kind, await world.payer(limit, f), f);
    };

    // The cast: honest payers, K cheats of each kind, stolen-key victims with thieves' tills.
    const payers: Payer[] = [];
    for (let i = 0; i < setting.honest; i++) payers.push(await enroll(`honest ${i}`, 'honest'));
    for (const kind of CHEAT_KINDS) {
      for (let i = 0; i < setting.perKind; i++) {
        if (kind === 'expired') {
          // Enrolled 11 days ago: expired 4 days ago, beyond the bank's 3-day grace too.
          const real = world.clock;
          world.clock = new Date(real.getTime() - 11 * 86_400_000);
          payers.push(await enroll(`${kind} ${i}`, kind));
          world.clock = real;
        } else payers.push(await enroll(`${kind} ${i}`, kind));
      }
    }
    const tills: Tl[] = [];
    for (let i = 0; i < setting.tills; i++) {
      const staleness = rng.int(0, setting.maxStaleness);
      tills.push({ model: till(`shop ${i}`, false, staleness), device: await world.payee() });
    }
    const thiefTills = new Map<Payer, Tl[]>();
    for (let i = 0; i < setting.perKind * 2; i++) {
      const victim = await enroll(`stolen ${i}`, 'stolen');
      victim.holder.stolenAt = rng.int(1, Math.max(1, setting.rounds - 3));
      // Half report at once (before the thief settles anything), half some rounds later.
      victim.holder.reportedAt = Math.min(
        setting.rounds - 1,
        victim.holder.stolenAt + (i % 2 === 0 ? 0 : rng.int(1, 3)),
      );
      payers.push(victim);
      const own: Tl[] = [];
      for (let j = 0; j < setting.thiefTills; j++) {
        const device = await world.payee('Thief Till');
        const model = till(`thief ${i}.${j}`, true, 0);
        own.push({ model, device });
        tills.push({ model, device });
      }
      thiefTills.set(victim, own);
    }
    const holders = new Map(payers.map((p) => [p.holder.serial, p.holder]));
    const bankKeys: BankKeys = await world.pinnedKeys();
    const revealer = new Revealer();
    /** Revocation lists by round: a till at round r knows lists[r − staleness]. */
    const lists: Set<number>[] = [];
    let settlements = 0;

    /** The till checks the payment as the receiver app does; true when accepted. */
    const offer = (t: Tl, p: Payment, round: number): boolean => {
      const known = lists[Math.max(0, round - t.model.staleness)]!;
      try {
        verifyOpenedPayment(encodePayment(p), {
          payee: { kid: t.device.kid, kemSecretKey: t.device.kemSecretKey, currency: 'EUR' },
          bankKeys,
          now: world.now,
          isRevoked: (serial) => known.has(serial),
          findAccepted: (id) => {
            const i = t.device.ledger.findIndex(
              (e) => toHex(decodePayment(e.payment).paymentId) === id,
            );
            return i < 0 ? undefined : i;
          },
          paymentsBySerial: (serial) =>
            t.device.ledger.map((e) => decodePayment(e.payment)).filter((x) => x.serial === serial),
        });
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        refusedOffline(t.model, err.code);
        return false;
      }
      world.append(t.device, p);
      acceptedOffline(t.model, p.serial, BigInt(p.amount));
      return true;
    };
    /** A thief's till takes whatever the thief signs: no checks (`count`: as accepted). */
    const takeAnyway = (t: Tl, p: Payment, count = true): void => {
      world.append(t.device, p);
      if (count) acceptedOffline(t.model, p.serial, BigInt(p.amount));
    };
    const sign = (
      payer: Payer,
      state: PayerChainState,
      t: Tl,
      amount: number,
    ): { payment: Payment; state: PayerChainState } =>
      createPayment(payer.device.cert, state, payer.device.secretKey, {
        amount,
        payeeKid: t.device.kid,
        payeeCurrency: 'EUR',
        requestId: randomBytes(16),
        now: world.now,
      });
    const remaining = (payer: Payer, state: PayerChainState) =>
      Number(payer.holder.limit) - state.spent;
    const shops = tills.filter((t) => !t.model.thief);

    /**
     * A payment on the wallet's chain, if the allowance has room. `own`: the holder's honest
     * payment, which every till accepts (a cheat's after its cheat may be refused).
     */
    const payHonestly = (payer: Payer, round: number, own = true): Payment | undefined => {
      const amount = rng.int(1, 5) * 50;
      if (remaining(payer, payer.state) < amount) return undefined;
      const t = rng.pick(shops);
      const made = sign(payer, payer.state, t, amount);
      payer.state = made.state;
      signedBy.set(toHex(made.payment.paymentId), { holder: payer.holder, own });
      const accepted = offer(t, made.payment, round);
      if (own) expect(accepted, `${payer.holder.name} paid ${t.model.name}`).toBe(true);
      return made.payment;
    };

    /** One step of a payer in round `round`. */
    const act = (payer: Payer, round: number): void => {
      const h = payer.holder;
      // A one-shot cheat is played at a random round, at the last one at the latest.
      const cheatNow = !payer.done && (rng.chance(0.3) || round === setting.rounds - 1);
      switch (h.kind) {
        case 'honest':
          if (rng.chance(0.6)) payHonestly(payer, round);
          return;
        case 'double-spend': {
          if (!cheatNow) {
            if (rng.chance(0.4)) payHonestly(payer, round, !payer.done);
            return;
          }
          // One counter to two tills; the wallet goes on from the first branch.
          const left = remaining(payer, payer.state);
          if (left < 2) return;
          const amount = rng.int(Math.ceil(left / 2), left);
          const [a, b] = rng.shuffle(shops);
          const first = sign(payer, payer.state, a!, amount);
          const second = sign(payer, payer.state, b!, amount);
          for (const m of [first, second])
            signedBy.set(toHex(m.payment.paymentId), { holder: h, own: false });
          offer(a!, first.payment, round);
          offer(b!, second.payment, round);
          payer.state = first.state;
          payer.done = true;
          return;
        }
        case 'over-reserve': {
          if (!cheatNow) return;
          // Over the limit on one chain: every till refuses it offline.
          const t0 = rng.pick(shops);
          const over = craftPayment(payer.device, {
            amount: Number(h.limit) + 1,
            payeeKid: t0.device.kid,
            createdAt: world.now,
          });
          expect(offer(t0, over, round)).toBe(false);
          expect(t0.model.refused.get('PROTO_PAYMENT_OVER_LIMIT')).toBeGreaterThan(0);
          // The whole allowance again and again, one counter, at three tills.
          for (const t of rng.shuffle(shops).slice(0, 3)) {
            const m = sign(payer, payer.state, t, remaining(payer, payer.state));
            signedBy.set(toHex(m.payment.paymentId), { holder: h, own: false });
            offer(t, m.payment, round);
          }
          payer.done = true;
          return;
        }
        case 'replay': {
          const p = payHonestly(payer, round);
          if (!p || !cheatNow) return;
          // The same payment shown to a second till: it names the first till.
          const other = rng.pick(shops.filter((t) => !equalKid(t.device.kid, p.payeeKid)));
          expect(offer(other, p, round)).toBe(false);
          expect(other.model.refused.get('PROTO_PAYMENT_WRONG_PAYEE')).toBeGreaterThan(0);
          payer.done = true;
          return;
        }
        case 'malleated': {
          const p = payHonestly(payer, round);
          if (!p || !cheatNow) return;
          // Re-sent with a malleated signature to the till that has it: a duplicate offline;
          // and the bank, shown the copy too (as if a till took both), says duplicate.
          const t = shops.find((s) => equalKid(s.device.kid, p.payeeKid))!;
          const twin: Payment = { ...p, signature: malleate(p.signature) };
          expect(offer(t, twin, round)).toBe(false);
          expect(t.model.refused.get('PROTO_PAYMENT_DUPLICATE')).toBeGreaterThan(0);
          takeAnyway(t, twin, false);
          payer.done = true;
          return;
        }
        case 'expired': {
          if (!cheatNow) return;
          const t = rng.pick(shops);
          const p = craftPayment(payer.device, {
            amount: 100,
            payeeKid: t.device.kid,
            createdAt: world.now,
          });
          expect(offer(t, p, round)).toBe(false);
          expect(t.model.refused.get('PROTO_CERT_EXPIRED')).toBeGreaterThan(0);
          payer.done = true;
          return;
        }
        case 'stolen': {
          if (round < h.stolenAt!) {
            if (rng.chance(0.5)) payHonestly(payer, round);
            return;
          }
          // The thief: the chain state from the phone, forked again and again (equivocation),
          // to the thief's own tills and to shops (which refuse it once their list shows it).
          payer.thiefState ??= payer.state;
          const state = payer.thiefState;
          if (remaining(payer, state) <= 0) return;
          const amount = remaining(payer, state);
          for (const t of thiefTills.get(payer)!) {
            const m = sign(payer, state, t, amount);
            signedBy.set(toHex(m.payment.paymentId), { holder: h, own: false });
            takeAnyway(t, m.payment);
          }
          const shop = rng.pick(shops);
          const m = sign(payer, state, shop, amount);
          signedBy.set(toHex(m.payment.paymentId), { holder: h, own: false });
          offer(shop, m.payment, round);
          return;
        }
      }
    };

    /** One till settles what it has not settled; the model and the bank are compared after. */
    const settle = async (t: Tl): Promise<void> => {
      const entries = t.device.ledger.slice(t.device.settled.nextIndex);
      if (entries.length === 0) return;
      const payments = entries.map((e) => decodePayment(e.payment));
      const results = await world.settleEntries(t.device, payments);
      settlements++;
      results.forEach((r, i) => {
        const p = payments[i]!;
        const who = signedBy.get(toHex(p.paymentId));
        const h = holders.get(p.serial);
        expect(h, 'every payment is under a known certificate').toBeDefined();
        if (r.status !== 'duplicate') revealer.judged(settlements, p, r.status === 'settled');
        // Only what the reserve and the recovery rule do not cover is refused (§4.1).
        if (r.status === 'rejected')
          expect(r.code).toMatch(/^(PROTO_FRAUD_|BANK_RESERVE_EXHAUSTED$)/);
        const id = toHex(p.paymentId);
        if (h && NEVER_FLAGGED.has(h.kind)) {
          // An honest payment settles; a malleated twin of a settled one is a duplicate.
          const expected = settledIds.has(id) ? 'duplicate' : 'settled';
          expect(r.status, `${h.name}'s payment at ${t.model.name}`).toBe(expected);
        }
        if (r.status === 'settled') settledIds.add(id);
        settledEntry(h, t.model, BigInt(p.amount), r.status, who?.own ?? false);
      });
      // Proven at the first settlement that reveals a cheat, and never before or for anyone else.
      const flagged = await world.db.query<{ serial: string }>(
        'SELECT DISTINCT serial::text FROM fraud_proofs',
      );
      expect(new Set(flagged.map((f) => Number(f.serial)))).toEqual(
        new Set(revealer.revealedAt.keys()),
      );
    };

    for (let round = 0; round < setting.rounds; round++) {
      world.advance(rng.int(1, setting.maxStepSeconds));
      lists.push(new Set(await world.revokedSerials()));
      for (const payer of payers) {
        if (payer.holder.reportedAt === round) {
          const res = await world.app.inject({
            method: 'POST',
            url: `/v1/certificates/${payer.holder.serial}/report`,
            headers: auth(payer.device.user),
            payload: { reason: 'stolen' },
          });
          expect(res.statusCode, res.body).toBe(200);
          payer.holder.settledAtReport = payer.holder.settled;
        }
      }
      for (const payer of rng.shuffle(payers)) act(payer, round);
      for (const t of rng.shuffle(tills)) if (rng.chance(0.3)) await settle(t);
    }
    // Every till comes online at last, in random order.
    for (const t of rng.shuffle(tills)) await settle(t);

    // The bank's books against the model.
    await assertLedgerInvariants(world.db);
    expect(await reserveViolations(world.db)).toEqual([]);
    const [held] = await world.db.query<{ total: string }>(
      `SELECT coalesce(sum(b.balance), 0)::text AS total FROM accounts a
       JOIN account_balances b ON b.account_id = a.id WHERE a.user_id IS NOT NULL`,
    );
    const bankLoss = BigInt(held!.total) - funded;
    expect(bankLoss, 'the bank pays out only reserves and recovered balances').toBe(0n);
    for (const p of payers) {
      const h = p.holder;
      const b = await world.balances(p.device.user);
      expect(h.funded - b.customer - b.reserve, `${h.name}: settled per the model`).toBe(h.settled);
      expect(h.settled, `${h.name}: within L + C (§4.1)`).toBeLessThanOrEqual(holderBound(h));
      if (NEVER_FLAGGED.has(h.kind)) expect(holderLoss(h), `${h.name} lost nothing`).toBe(0n);
      if (PROVEN_KINDS.has(h.kind) && p.done)
        expect(revealer.revealedAt.has(h.serial), `${h.name} proven`).toBe(true);
    }
    for (const t of tills) {
      expect(await world.balance(t.device.user.accountId), t.model.name).toBe(t.model.credited);
      if (t.model.thief) continue;
      const exposure = tillExposure(t.model, holders);
      for (const [serial, lost] of t.model.lost)
        expect(lost, `${t.model.name}: loss on ${serial}`).toBeLessThanOrEqual(
          exposure.get(serial) ?? 0n,
        );
    }
    const revoked = await world.db.query<{ serial: string; reason: string }>(
      'SELECT serial::text, reason FROM revocations',
    );
    for (const r of revoked) {
      const h = holders.get(Number(r.serial));
      if (h && NEVER_FLAGGED.has(h.kind)) throw new Error(`${h.name} was revoked (${r.reason})`);
    }

    console.log(
      formatTable(
        `offline-trust simulation — seed ${seed}, ${setting.name}, ${new Date().toISOString().slice(0, 10)}, ${settlements} settlements (minor units)`,
        rows(
          payers.map((p) => p.holder),
          tills.map((t) => t.model),
          new Set(revealer.revealedAt.keys()),
          bankLoss,
        ),
      ),
    );
  }, 600_000);
});

function equalKid(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
