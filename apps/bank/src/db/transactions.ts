/** Transaction helpers every repository and service may use, whatever the driver. */
import type { Queryable } from './queryable.js';

/** Runs `fn` inside a savepoint: a failure undoes only its own work and leaves `tx` usable. */
export async function withSavepoint<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT offpay_step');
  try {
    const result = await fn();
    await tx.query('RELEASE SAVEPOINT offpay_step');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT offpay_step');
    await tx.query('RELEASE SAVEPOINT offpay_step');
    throw err;
  }
}
