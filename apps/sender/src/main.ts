/** Boot: open the database, ask to keep storage, show Setup (no keys yet) or Unlock. */
import '@offpay/app-kit/styles.css';
import './app.css';
import { boot, hasVault, openAppDb, requestPersistentStorage } from '@offpay/app-kit';
import { startWallet } from './app.js';
import { walletSchema } from './db.js';

void boot('wallet', async (root) => {
  const db = await openAppDb(walletSchema);
  void requestPersistentStorage();
  await startWallet(root, db).open((await hasVault(db)) ? { to: 'unlock' } : { to: 'setup' });
});
