import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { appConfig } from '@offpay/app-kit/vite';

// The merchant's till. `pnpm start` serves the build with `vite preview` on this port; the bank's
// CORS list names it (apps/bank CORS_ORIGINS).
export default defineConfig(
  appConfig(
    {
      name: 'offpay till',
      shortName: 'offpay till',
      description: 'Take payments offline by QR code or file.',
      themeColor: '#0a7a4f',
      port: 5174,
    },
    VitePWA,
  ),
);
