/**
 * Logs never carry secrets or payment plaintext: a whole enrollment → payment → settlement flow,
 * with every log line captured, contains no password, token, device secret key or payment bytes.
 */
import { toBase64Url, toHex } from '@offpay/crypto';
import { encodePayment } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { LogCapture } from '../../helpers/app.js';
import { useWorld } from '../../helpers/world.js';

const logs = new LogCapture();
const world = useWorld({ logs });

describe('bank logs over a settlement', () => {
  it('contain no password, token, secret key, payment plaintext or sealed batch', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const payment = world.pay(payer, payee, 1234);
    const { sealed } = await world.batch(payee);
    expect((await world.settle(sealed)).statusCode).toBe(200);
    await world.settle(sealed.slice(0, 200)); // a refused one is logged too

    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(10);
    const secrets = {
      password: 'correct horse battery',
      payerToken: payer.user.token,
      payeeToken: payee.user.token,
      payerKeyHex: toHex(payer.secretKey),
      payeeKeyHex: toHex(payee.secretKey),
      payeeKemKeyHex: toHex(payee.kemSecretKey),
      payerKeyB64: toBase64Url(payer.secretKey),
      paymentHex: toHex(encodePayment(payment)).slice(0, 64),
      paymentB64: toBase64Url(encodePayment(payment)).slice(0, 43),
      paymentTbsHex: toHex(payment.tbs).slice(0, 64),
      sealedB64: toBase64Url(sealed).slice(0, 43),
    };
    for (const [name, secret] of Object.entries(secrets))
      expect(text.includes(secret), name).toBe(false);
  });
});
