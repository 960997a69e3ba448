/** Boot: the console on the page's origin (the bank serves it at /console/), Sign in first. */
import '@offpay/app-kit/styles.css';
import './console.css';
import { boot } from '@offpay/app-kit';
import { startConsole } from './app.js';

void boot('console', async (root) => {
  await startConsole(root, location.origin).open({ to: 'signin' });
});
