import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { appConfig } from '@offpay/app-kit/vite';

// The payer's wallet. `pnpm start` serves the build with `vite preview` on this port; the bank's
// CORS list names it (apps/bank CORS_ORIGINS).
export default defineConfig(
  appConfig(
    {
      name: 'offpay wallet',
      shortName: 'offpay',
      description: 'Pay offline by QR code or file.',
      themeColor: '#0b5cad',
      port: 5173,
    },
    VitePWA,
  ),
);
