/**
 * Prints the demo operator's current TOTP code (embedded demo only: its secret is public, in
 * src/modules/demo/demo.domain.ts). `pnpm totp:demo`.
 */
import { DEMO_OPERATOR } from '../src/modules/demo/demo.domain.js';
import {
  totpCode,
  totpSecretFromBase32,
  TOTP_PERIOD_SECONDS,
} from '../src/modules/operators/operators.totp.js';

const now = Date.now();
const left = TOTP_PERIOD_SECONDS - (Math.floor(now / 1000) % TOTP_PERIOD_SECONDS);
console.log(totpCode(totpSecretFromBase32(DEMO_OPERATOR.totpSecretBase32), now));
console.error(
  `(${DEMO_OPERATOR.email}, valid ${left} s more; each code signs in once — wait for the next one after using it)`,
);
