import { defineConfig } from 'vite';
import { appConfig } from '@offpay/app-kit/vite';

// The operators' console: an online tool, served by the bank at /console/ (no service worker, no
// manifest: it is never installed nor used offline). `pnpm --filter @offpay/console dev` serves it
// on this port and passes /v1 on to the bank on :8787.
export default defineConfig(
  appConfig({
    name: 'offpay console',
    shortName: 'console',
    description:
      'Run the bank: merchants, money in and out, fraud, certificates and the audit log.',
    themeColor: '#5b3cc4',
    port: 5175,
  }),
);
