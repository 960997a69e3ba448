/**
 * The console's risk views and its one change (issue #13 item 7, docs/operations.md "The
 * console"): fraud proofs with both payments decoded and what was recovered, certificates, and
 * revoking a certificate through the revocations service — operators only, audited, published in
 * the signed list, and settlement and enrollment afterwards exactly as for any revocation.
 */
import { toHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { auditOf, opGet, opPost } from '../../helpers/console.js';
import { craftPayment, signInAgain, useWorld, type PayerDevice } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface Decoded {
  paymentId: string;
  payerSerial: string;
  counter: number;
  payeeSerial: string | null;
  payeeName: string | null;
  amountMinor: string;
  currency: string;
  status: string;
}

interface ProofDetail {
  id: string;
  serial: string;
  kind: string;
  payer: { userId: string };
  recovery: Record<string, string>;
  revokedAt: string | null;
  first: Decoded;
  second: Decoded;
  path: string;
}

/** A payer that equivocates beyond its reserve: A is paid 4000, B another 3000 on counter 1. */
async function equivocation() {
  const payer = await world.payer(5000n, 8000n);
  const a = await world.payee('Shop A');
  const b = await world.payee('Shop B');
  const honest = world.pay(payer, a, 4000);
  expect(await world.settleEntries(a, [honest])).toMatchObject([{ status: 'settled' }]);
  const cheat = craftPayment(payer, { amount: 3000, payeeKid: b.kid, createdAt: world.now });
  const [result] = await world.settleEntries(b, [cheat]);
  return { payer, a, b, honest, cheat, result };
}

describe('GET /v1/operator/fraud-proofs and /fraud-proofs/:id', () => {
  it('shows the two payments side by side and what the reserve and the balance covered', async () => {
    const auditor = await world.operator('auditor');
    const { payer, a, b, honest, cheat } = await equivocation();
    const list = await opGet(world, auditor, '/v1/operator/fraud-proofs');
    expect(list.statusCode, list.body).toBe(200);
    const [summary] = list.json<{ proofs: ProofDetail[] }>().proofs;
    expect(summary).toMatchObject({
      serial: String(payer.cert.serial),
      kind: 'equivocation',
      payer: { userId: payer.user.userId },
    });
    expect(summary?.revokedAt).not.toBeNull();

    const res = await opGet(world, auditor, `/v1/operator/fraud-proofs/${summary!.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const proof = res.json<ProofDetail>();
    const byId = new Map([proof.first, proof.second].map((p) => [p.paymentId, p]));
    expect(byId.get(toHex(honest.paymentId))).toMatchObject({
      payerSerial: String(payer.cert.serial),
      counter: 1,
      payeeSerial: String(a.cert.serial),
      payeeName: 'Shop A',
      amountMinor: '4000',
      currency: 'EUR',
      status: 'settled',
    });
    expect(byId.get(toHex(cheat.paymentId))).toMatchObject({
      counter: 1,
      payeeSerial: String(b.cert.serial),
      amountMinor: '3000',
    });
    expect(proof.path).toBe(`/v1/fraud-proofs/${proof.id}`);

    // What the books say: the certificate's settled total, split at the reserve, and what left
    // the payer's available balance (3000 before the cheat) in recovery.
    const [cert] = await world.db.query<{ settled_minor: bigint }>(
      'SELECT settled_minor FROM payer_certificates WHERE serial = $1',
      [payer.cert.serial],
    );
    const available = (await world.balances(payer.user)).customer;
    const r = proof.recovery;
    expect(r.limitMinor).toBe('5000');
    expect(r.settledMinor).toBe(cert!.settled_minor.toString());
    expect(BigInt(r.reserveUsedMinor!) + BigInt(r.beyondReserveMinor!)).toBe(cert!.settled_minor);
    expect(r.recoveredFromBalanceMinor).toBe((3000n - available).toString());
    expect(BigInt(r.recoveredFromBalanceMinor!) + BigInt(r.unrecoveredMinor!)).toBe(
      BigInt(r.beyondReserveMinor!),
    );
    expect((await auditOf(world, auditor, 'operator.read')).map((d) => d.target)).toEqual([
      'fraud_proofs',
      `fraud_proof:${proof.id}`,
    ]);
  });

  it('answers 404 BANK_FRAUD_PROOF_NOT_FOUND for an unknown id', async () => {
    const ops = await world.operator();
    const res = await opGet(world, ops, '/v1/operator/fraud-proofs/987654');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_FRAUD_PROOF_NOT_FOUND' });
  });
});

describe('GET /v1/operator/certificates', () => {
  it('lists payer and payee certificates with owner and status, filtered by kind, status and serial', async () => {
    const auditor = await world.operator('auditor');
    const payer = await world.payer(2000n);
    const payee = await world.payee('Cert Shop');
    const bySerial = await opGet(
      world,
      auditor,
      `/v1/operator/certificates?query=${payer.cert.serial}`,
    );
    expect(bySerial.statusCode, bySerial.body).toBe(200);
    expect(bySerial.json<{ certificates: unknown[] }>().certificates).toMatchObject([
      {
        serial: String(payer.cert.serial),
        kind: 'payer',
        status: 'active',
        revocation: null,
        owner: { userId: payer.user.userId },
        limitMinor: '2000',
        settledMinor: '0',
      },
    ]);
    const payees = await opGet(
      world,
      auditor,
      '/v1/operator/certificates?kind=payee&query=cert%20shop',
    );
    expect(payees.json<{ certificates: unknown[] }>().certificates).toMatchObject([
      {
        serial: String(payee.cert.serial),
        kind: 'payee',
        displayName: 'Cert Shop',
        limitMinor: null,
      },
    ]);
    const revoked = await opGet(
      world,
      auditor,
      '/v1/operator/certificates?status=revoked&limit=200',
    );
    const statuses = revoked.json<{ certificates: { status: string }[] }>().certificates;
    expect(statuses.every((c) => c.status === 'revoked')).toBe(true);
  });
});

describe('POST /v1/operator/certificates/:serial/revoke', () => {
  const revoke = (ops: Parameters<typeof opPost>[1], serial: number, reason = 'compromised') =>
    opPost(world, ops, `/v1/operator/certificates/${serial}/revoke`, {
      revocationReason: reason,
      reason: 'Phone reported stolen by its owner',
    });

  it('is refused to an auditor (403 BANK_ROLE_FORBIDDEN), and nothing is revoked', async () => {
    const auditor = await world.operator('auditor');
    const payer = await world.payer(1000n);
    const res = await revoke(auditor, payer.cert.serial);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'BANK_ROLE_FORBIDDEN' });
    expect(await world.revokedSerials()).not.toContain(payer.cert.serial);
  });

  it('revokes as compromised: in the signed list, audited with the note, idempotent', async () => {
    const ops = await world.operator();
    const payer = await world.payer(1000n);
    const before = (await world.revocationList()).seq;
    const res = await revoke(ops, payer.cert.serial);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      serial: String(payer.cert.serial),
      kind: 'payer',
      status: 'revoked',
      reason: 'compromised',
      revokedNow: true,
      publishedSeq: before + 1,
    });
    expect(await world.revokedSerials()).toContain(payer.cert.serial);
    const again = await revoke(ops, payer.cert.serial, 'closed');
    expect(again.json()).toMatchObject({
      revokedNow: false,
      reason: 'compromised',
      publishedSeq: null,
    });
    expect(await auditOf(world, ops, 'certificate.revoke')).toMatchObject([
      {
        target: `certificate:${payer.cert.serial}`,
        reason: 'Phone reported stolen by its owner',
        revocationReason: 'compromised',
        revokedNow: true,
      },
      { revocationReason: 'closed', revokedNow: false },
    ]);
  });

  it('answers 404 BANK_CERTIFICATE_NOT_FOUND for an unknown serial', async () => {
    const ops = await world.operator();
    const res = await revoke(ops, 9_000_000_000_000);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_CERTIFICATE_NOT_FOUND' });
  });

  it('leaves settlement and enrollment as any compromised revocation does', async () => {
    const ops = await world.operator();
    const shop = await world.payee('After Revoke');
    // One payer revoked through the console, one through the revocations service directly.
    const viaConsole = await world.payer(2000n);
    const direct = await world.payer(2000n);
    const paid = (p: PayerDevice) => world.pay(p, shop, 500);
    const p1 = paid(viaConsole);
    const p2 = paid(direct);
    expect((await revoke(ops, viaConsole.cert.serial)).statusCode).toBe(200);
    await world.db.transaction((tx) =>
      world.app.services.revocations.revoke(tx, {
        serial: direct.cert.serial,
        reason: 'compromised',
      }),
    );
    const [r1, r2] = await world.settleEntries(shop, [p1, p2]);
    expect({ status: r1?.status, code: r1?.code }).toEqual({ status: r2?.status, code: r2?.code });
    // Its owner's sessions ended with it (docs/threat-model.md §4.1); signed in again, the owner
    // can enroll a new payer certificate.
    const refused = await world.get('/v1/certificates', viaConsole.user);
    expect(refused.json()).toMatchObject({ code: 'BANK_TOKEN_REVOKED' });
    await signInAgain(world, viaConsole.user);
    await world.fund(viaConsole.user, 500n);
    const res = await world.enrollPayer(viaConsole.user, '500');
    expect(res.statusCode, res.body).toBe(201);
  });
});
