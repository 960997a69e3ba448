/**
 * Pure rules of payouts (docs/operations.md "An operator's day: deposits in, payouts out"): the
 * IBAN check (ibantools: country, length and format per country, ISO 7064 check digits), the
 * state machine of a payout and what each step does with the held money, and amounts as decimal
 * text from integer minor units. No pg, no fastify. The same machine is enforced in SQL
 * (migrations/008_deposits_payouts.sql, offpay_payout_transition).
 */
import type { WebhookEventType } from '@offpay/api';
import { minorExponent } from '@offpay/protocol';
import { ValidationErrorsIBAN, electronicFormatIBAN, validateIBAN } from 'ibantools';
import { bankFail } from '../../errors.js';

/** A payout's state. */
export type PayoutState =
  'requested' | 'approved' | 'refused' | 'in_flight' | 'confirmed' | 'failed';

/** What an operator does to a payout. */
export type PayoutStep = 'approve' | 'refuse' | 'export' | 'confirm' | 'fail';

/** Where held money goes on a step: back to the customer, out to clearing, or nowhere yet. */
export type HeldMoney = 'return' | 'pay' | 'keep';

/** Each step: the state it applies to, the state it leaves, and what it does with the money. */
export const STEPS: Readonly<
  Record<PayoutStep, { from: PayoutState; to: PayoutState; money: HeldMoney }>
> = {
  approve: { from: 'requested', to: 'approved', money: 'keep' },
  refuse: { from: 'requested', to: 'refused', money: 'return' },
  export: { from: 'approved', to: 'in_flight', money: 'keep' },
  confirm: { from: 'in_flight', to: 'confirmed', money: 'pay' },
  fail: { from: 'in_flight', to: 'failed', money: 'return' },
};

/** The webhook event of each operator step on one payout (docs/webhooks.md "Events"). */
export const STEP_EVENT = {
  approve: 'payout.approved',
  refuse: 'payout.refused',
  confirm: 'payout.paid',
  fail: 'payout.failed',
} as const satisfies Record<Exclude<PayoutStep, 'export'>, WebhookEventType>;

/** The data of a payout.* webhook event: what its requester sees of it. */
export function payoutEvent(
  p: { id: string; state: PayoutState; amount: bigint; currency: string },
  reason: string | null,
): {
  payoutId: string;
  state: PayoutState;
  amountMinor: string;
  currency: string;
  reason: string | null;
} {
  return {
    payoutId: p.id,
    state: p.state,
    amountMinor: p.amount.toString(),
    currency: p.currency,
    reason,
  };
}

/** States whose money is still held (the payout-hold account's balance is their sum). */
export const HELD_STATES: readonly PayoutState[] = ['requested', 'approved', 'in_flight'];

/**
 * The step `step` on a payout in `state`.
 * @throws BANK_PAYOUT_STATE when the payout is not in the state the step applies to
 */
export function checkStep(payoutId: string, state: PayoutState, step: PayoutStep) {
  const s = STEPS[step];
  if (state !== s.from) {
    bankFail(
      'BANK_PAYOUT_STATE',
      `A ${state} payout cannot be ${step === 'export' ? 'exported' : `${step}d`}`,
      {
        payoutId,
        state,
        expected: [s.from],
      },
    );
  }
  return s;
}

const IBAN_REASON: Partial<
  Record<ValidationErrorsIBAN, 'country' | 'length' | 'format' | 'checksum'>
> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'format',
  [ValidationErrorsIBAN.NoIBANCountry]: 'country',
  [ValidationErrorsIBAN.WrongBBANLength]: 'length',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'format',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'format',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'checksum',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'checksum',
};

/**
 * The IBAN in electronic format (spaces removed, capitals), once it is valid for its country.
 * @throws BANK_IBAN_INVALID with the first reason ibantools gives
 */
export function normalizeIban(input: string): string {
  const iban = electronicFormatIBAN(input.toUpperCase()) ?? '';
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) {
    bankFail(
      'BANK_IBAN_INVALID',
      'An IBAN is two letters, two check digits and 11 to 30 letters or digits',
      {
        reason: 'format',
      },
    );
  }
  const result = validateIBAN(iban);
  if (!result.valid) {
    const first = result.errorCodes[0];
    const reason = (first !== undefined ? IBAN_REASON[first] : undefined) ?? 'format';
    bankFail('BANK_IBAN_INVALID', `This IBAN is not valid (${reason})`, { reason });
  }
  return iban;
}

/**
 * Minor units as a decimal string in the currency's unit ("1234" EUR → "12.34"; JPY "1234" →
 * "1234"): string arithmetic on the integer, never a float (ISO 20022 amounts are decimal text).
 */
export function decimalAmount(minor: bigint, currency: string): string {
  if (minor < 0n) throw new RangeError('decimalAmount: minor must not be negative');
  const e = minorExponent(currency);
  if (e === 0) return minor.toString();
  const digits = minor.toString().padStart(e + 1, '0');
  return `${digits.slice(0, -e)}.${digits.slice(-e)}`;
}
