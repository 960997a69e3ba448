/**
 * Creates an operator on the bank the environment names (docs/operations.md "Operators"):
 *
 *   pnpm --filter @offpay/bank operator:create --email ops@bank.example [--role operator|auditor]
 *     [--password-file FILE]
 *
 * Prints, once, the TOTP provisioning URI and its QR code for the authenticator app, and the
 * generated password when no --password-file was given. Nothing of it reaches a log or the
 * database in clear (the TOTP secret is stored sealed, the password as a scrypt hash).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OPERATOR_ROLES, type OperatorRole } from '@offpay/api';
import QRCode from 'qrcode';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const USAGE =
  'usage: operator:create --email EMAIL [--role operator|auditor] [--password-file FILE]';

function options(): { email: string; role: OperatorRole; password?: string } {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string', default: 'operator' },
      'password-file': { type: 'string' },
    },
  });
  const role = values.role as OperatorRole;
  if (!values.email || !OPERATOR_ROLES.includes(role)) throw new Error(USAGE);
  const file = values['password-file'];
  const password = file === undefined ? undefined : readFileSync(file, 'utf8').trim();
  if (password !== undefined && password.length < 12)
    throw new Error('the password in --password-file must have at least 12 characters');
  return { email: values.email, role, ...(password ? { password } : {}) };
}

let input: ReturnType<typeof options>;
try {
  input = options();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const app = await buildApp({ ...loadConfig(), demoSeed: false, logLevel: 'warn' });
try {
  await app.ready();
  const created = await app.services.operators.create({ ...input, createdBy: 'cli' });
  console.log(`operator ${created.email} (${created.role}) created: id ${created.id}`);
  console.log('\nScan this with the authenticator app (shown once; it holds the TOTP secret):\n');
  console.log(await QRCode.toString(created.provisioningUri, { type: 'terminal', small: true }));
  console.log(created.provisioningUri);
  if (created.generatedPassword) {
    console.log(
      `\nPassword (shown once; keep it in a password manager): ${created.generatedPassword}`,
    );
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await app.close();
}
