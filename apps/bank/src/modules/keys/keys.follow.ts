/**
 * How a bank instance learns of a rotation another instance made (docs/operations.md "Rotating
 * the bank's keys"): a pub/sub message after each COMMIT makes it reload at once; a check of the
 * database's current kids every {@link KEYS_CHECK_SECONDS} catches a message lost while Redis was
 * down (and subscribes again if it could not). The message only says "look": what an instance
 * loads always comes from the database.
 */
import { fromHex, toHex } from '@offpay/crypto';
import type { PubSub } from '../../kv/kv.js';
import type { BankKeyKind } from './keys.domain.js';

/** How often an instance checks the database for a rotation it was not told of. */
export const KEYS_CHECK_SECONDS = 30;

/** The pub/sub channel of rotations: `{"kind":"sign"|"kem","kid":"<hex>"}` after each COMMIT. */
export const KEYS_CHANNEL = 'keys';

/** What following needs of the keyring. */
export interface Followed {
  reloadFor(kind: BankKeyKind, kid: Uint8Array): Promise<boolean>;
  refresh(): Promise<boolean>;
}

/** A running follower; `close` stops it and never rejects. */
export interface Following {
  close(): Promise<void>;
}

/** The message published after a rotation. */
export function rotationMessage(kind: BankKeyKind, kid: Uint8Array): string {
  return JSON.stringify({ kind, kid: toHex(kid) });
}

/** A rotation message from pub/sub (untrusted bytes), or undefined when it is not one. */
export function parseRotationMessage(
  message: string,
): { kind: BankKeyKind; kid: Uint8Array } | undefined {
  if (message.length > 200) return undefined;
  try {
    const v = JSON.parse(message) as { kind?: unknown; kid?: unknown };
    if ((v.kind !== 'sign' && v.kind !== 'kem') || typeof v.kid !== 'string') return undefined;
    if (!/^[0-9a-f]{16}$/.test(v.kid)) return undefined;
    return { kind: v.kind, kid: fromHex(v.kid) };
  } catch {
    return undefined;
  }
}

/**
 * Follows rotations for `keyring`: subscribes (a failure is reported to `onError` and tried again
 * at each check) and checks the database every {@link KEYS_CHECK_SECONDS}.
 */
export async function followRotations(
  keyring: Followed,
  pubsub: PubSub,
  onError: (err: unknown) => void = () => undefined,
): Promise<Following> {
  let unsubscribe: (() => Promise<void>) | null = null;
  let closed = false;
  const listener = (message: string) => {
    // Anything else on the channel is ignored: the periodic check still finds every rotation.
    const told = parseRotationMessage(message);
    if (told) keyring.reloadFor(told.kind, told.kid).catch(onError);
  };
  const subscribe = async () => {
    if (unsubscribe || closed) return;
    try {
      const leave = await pubsub.subscribe(KEYS_CHANNEL, listener);
      // Closed while subscribing: leave at once.
      if (closed) await leave();
      else unsubscribe = leave;
    } catch (err) {
      onError(err);
    }
  };
  const check = async () => {
    await subscribe();
    await keyring.refresh().catch(onError);
  };
  const timer = setInterval(() => void check(), KEYS_CHECK_SECONDS * 1000);
  timer.unref();
  await subscribe();
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      const leave = unsubscribe;
      unsubscribe = null;
      await leave?.();
    },
  };
}
