/**
 * Demo users seeded on the embedded default (DEMO_SEED, default true without DATABASE_URL).
 * Their passwords are public — in this file and in the README — so they are for local demos
 * only; never enable DEMO_SEED on a bank that holds real money.
 */

/** One demo user: an account holder with an opening balance issued by the bank. */
export interface DemoUser {
  email: string;
  password: string;
  displayName: string;
  currency: string;
  /** Opening balance in minor units, funded from the issuance account. */
  openingMinor: bigint;
  role: 'payer' | 'merchant';
}

/** The documented demo users. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'alice@example.com',
    password: 'alice-demo-password',
    displayName: 'Alice',
    currency: 'EUR',
    openingMinor: 10_000n,
    role: 'payer',
  },
  {
    email: 'bob@example.com',
    password: 'bob-demo-password',
    displayName: "Bob's Market",
    currency: 'EUR',
    openingMinor: 0n,
    role: 'merchant',
  },
];

/** The transfer reference of a demo user's opening balance: unique, so it is paid once. */
export function openingReference(user: Pick<DemoUser, 'email'>): string {
  return `demo-opening:${user.email}`;
}

/**
 * The demo operator (embedded default only, never with DATABASE_URL): a public password and a
 * fixed, public TOTP secret, so anyone running the demo can sign in — `pnpm totp:demo` prints the
 * current code. Demo only: a real bank creates its operators with `operator:create`.
 */
export const DEMO_OPERATOR = {
  email: 'operator@example.com',
  password: 'operator-demo-password',
  /** Base32 (RFC 4648) of the 20-byte TOTP secret; public. */
  totpSecretBase32: 'OFFPAYDEMOOPERATORTOTPSECRETXXXX',
  role: 'operator',
} as const;

/** Bob's merchant application, filed by the seed and left pending for an operator to decide. */
export const DEMO_APPLICATION = {
  email: 'bob@example.com',
  legalName: 'Bob Martin, sole trader',
  displayName: "Bob's Market",
  contact: 'bob@example.com',
} as const;
