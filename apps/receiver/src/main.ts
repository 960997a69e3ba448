/** Boot: open the database, ask to keep storage, show Setup (no keys yet) or Unlock. */
import '@offpay/app-kit/styles.css';
import './till.css';
import { boot, hasVault, openAppDb, requestPersistentStorage } from '@offpay/app-kit';
import { startTill } from './app.js';
import { tillSchema } from './db.js';

void boot('till', async (root) => {
  const db = await openAppDb(tillSchema);
  void requestPersistentStorage();
  await startTill(root, db).open((await hasVault(db)) ? { to: 'unlock' } : { to: 'setup' });
});
