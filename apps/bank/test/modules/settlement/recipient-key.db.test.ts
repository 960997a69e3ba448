/**
 * An unknown KEM key id in a sealed batch (issue #10 item 8; docs/protocol.md §9.2, §12; the
 * meaning of BANK_KEY_UNKNOWN in docs/errors.md): answered 400 PROTO_UNKNOWN_RECIPIENT_KEY with
 * details.kemKid, never BANK_KEY_UNKNOWN, and without reloading the keys — while a KEM key another
 * instance made by rotating is picked up (one reload) and settles.
 */
import { randomBytes, toHex } from '@offpay/crypto';
import {
  decodeCbor,
  decodePayment,
  encodeCbor,
  encodeSettlementBatch,
  sealSettlementBatch,
  signSettlementBatch,
} from '@offpay/protocol';
import { describe, expect, it, vi } from 'vitest';
import { protocolAnnouncer } from '../../../src/modules/keys/keys.signer.js';
import { useWorld } from '../../helpers/world.js';

const world = useWorld();

describe('a sealed batch naming a KEM kid', () => {
  it('unknown to every instance: 400 PROTO_UNKNOWN_RECIPIENT_KEY, and no reload of the keys', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 100);
    const [v, , sealed] = decodeCbor((await world.batch(payee)).sealed) as [
      number,
      Uint8Array,
      Uint8Array,
    ];
    const reload = vi.spyOn(world.app.services.keyring, 'reload');
    for (let i = 0; i < 20; i++) {
      const kemKid = randomBytes(8);
      const res = await world.settle(encodeCbor([v, kemKid, sealed]));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({
        code: 'PROTO_UNKNOWN_RECIPIENT_KEY',
        message: expect.any(String),
        details: { kemKid: toHex(kemKid) },
      });
    }
    expect(reload).not.toHaveBeenCalled();
    reload.mockRestore();
  });

  it('made by another instance’s rotation: reloaded once, then it settles', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 250);
    const other = await world.secondInstance();
    try {
      const { keyring } = other.services;
      const next = await keyring.rotate(
        'kem',
        protocolAnnouncer(keyring, () => world.clock),
      );
      // The payee's batch sealed to the new KEM key, which this instance has not loaded.
      const payments = payee.ledger.map((e) => decodePayment(e.payment));
      const batch = signSettlementBatch(
        { payeeKid: payee.kid, from: payee.settled, payments },
        payee.secretKey,
      );
      const sealedToNew = sealSettlementBatch(encodeSettlementBatch(batch), next.publicKey);
      const reload = vi.spyOn(world.app.services.keyring, 'reload');
      const res = await world.settle(sealedToNew);
      expect(res.statusCode, res.body).toBe(200);
      expect(reload).toHaveBeenCalledTimes(1);
      reload.mockRestore();
    } finally {
      await other.close();
    }
  });

  it('a burst of batches sealed to a key made elsewhere shares one reload (single flight)', async () => {
    const other = await world.secondInstance();
    try {
      const { keyring } = other.services;
      const next = await keyring.rotate(
        'kem',
        protocolAnnouncer(keyring, () => world.clock),
      );
      const reload = vi.spyOn(world.app.services.keyring, 'reload');
      const loaded = await Promise.all(
        Array.from({ length: 10 }, () => world.app.services.keyring.reloadFor('kem', next.kid)),
      );
      expect(loaded).toEqual(Array.from({ length: 10 }, () => true));
      expect(reload).toHaveBeenCalledTimes(1);
      reload.mockRestore();
    } finally {
      await other.close();
    }
  });
});
