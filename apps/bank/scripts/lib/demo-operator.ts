/**
 * The demo operator over the public HTTP API (embedded demo only): sign in with the current TOTP
 * code, and approve Bob's pending merchant application — what an operator's console will do.
 */
import { DEMO_APPLICATION, DEMO_OPERATOR } from '../../src/modules/demo/demo.domain.js';
import {
  TOTP_PERIOD_SECONDS,
  totpCode,
  totpSecretFromBase32,
} from '../../src/modules/operators/operators.totp.js';

type Call = <T>(method: string, path: string, body?: unknown, token?: string) => Promise<T>;

/** Signs the demo operator in; waits for the next code when this one was used already. */
export async function demoOperatorToken(call: Call): Promise<string> {
  const secret = totpSecretFromBase32(DEMO_OPERATOR.totpSecretBase32);
  const { email, password } = DEMO_OPERATOR;
  for (let attempt = 0; ; attempt++) {
    try {
      const code = totpCode(secret, Date.now());
      return (
        await call<{ accessToken: string }>('POST', '/v1/operator/auth/login', {
          email,
          password,
          code,
        })
      ).accessToken;
    } catch (err) {
      // A code signs in once: after a recent sign-in, the next step's code is needed.
      if (attempt > 0 || !String(err).includes('BANK_OPERATOR_BAD_CREDENTIALS')) throw err;
      const left = TOTP_PERIOD_SECONDS - (Math.floor(Date.now() / 1000) % TOTP_PERIOD_SECONDS);
      await new Promise((r) => setTimeout(r, (left + 1) * 1000));
    }
  }
}

interface Application {
  id: string;
  email: string;
  displayName: string;
}

/**
 * Approves Bob's pending application as the demo operator. Returns false when there is none
 * pending (already approved, or not filed).
 */
export async function approveBob(call: Call, token: string): Promise<boolean> {
  const { applications } = await call<{ applications: Application[] }>(
    'GET',
    '/v1/operator/merchant-applications?state=pending',
    undefined,
    token,
  );
  const bob = applications.find((a) => a.email === DEMO_APPLICATION.email);
  if (!bob) return false;
  await call(
    'POST',
    `/v1/operator/merchant-applications/${bob.id}/approve`,
    { reason: 'Demo: identity and trading name checked by the demo operator' },
    token,
  );
  return true;
}
