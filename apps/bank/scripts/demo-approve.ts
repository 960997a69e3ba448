/**
 * `pnpm demo:approve`: the demo operator signs in (password and TOTP) and approves Bob's Market's
 * pending merchant application, over the running bank's API (BANK_URL, default
 * http://127.0.0.1:8787). Then Bob can enroll his till.
 */
import { approveBob, demoOperatorToken } from './lib/demo-operator.js';

const BANK = process.env['BANK_URL'] ?? 'http://127.0.0.1:8787';

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${BANK}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as T & { code?: string; message?: string };
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${json.code}: ${json.message}`);
  return json;
}

const token = await demoOperatorToken(call);
console.log('The demo operator signed in (password and one-time code).');
console.log(
  (await approveBob(call, token))
    ? "Bob's Market is approved: bob@example.com can enroll a till now."
    : "No pending application from Bob's Market (already approved?).",
);
