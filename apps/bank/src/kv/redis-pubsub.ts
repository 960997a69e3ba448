/**
 * Redis publish/subscribe. A connection in subscriber mode can run nothing else, so subscriptions
 * use a dedicated connection, one SUBSCRIBE per channel per instance whatever the number of local
 * listeners. ioredis subscribes again by itself after a reconnect.
 */
import type { Redis } from 'ioredis';
import type { PubSub, Unsubscribe } from './kv.js';
import type { Breaker } from './breaker.js';
import { deliver } from './memory.js';

interface Channel {
  listeners: Set<(message: string) => void>;
  /** Settles when Redis has acknowledged SUBSCRIBE. */
  ready: Promise<unknown>;
}

/**
 * {@link PubSub} over `client` (publishing, through `breaker`) and `subscriber` (a connection of
 * its own).
 */
export function redisPubSub(
  breaker: Breaker,
  client: Redis,
  subscriber: Redis,
  key: (channel: string) => string,
): PubSub {
  const channels = new Map<string, Channel>();
  subscriber.on('message', (name: string, message: string) => {
    for (const listener of [...(channels.get(name)?.listeners ?? [])]) deliver(listener, message);
  });

  const leave = (name: string, channel: Channel, own: (message: string) => void) => {
    channel.listeners.delete(own);
    if (channel.listeners.size > 0 || channels.get(name) !== channel) return Promise.resolve();
    channels.delete(name);
    // Best effort: a failed UNSUBSCRIBE only leaves messages nobody listens to.
    return subscriber.unsubscribe(name).then(
      () => undefined,
      () => undefined,
    );
  };

  return {
    async publish(channel, message) {
      await breaker.run(() => client.publish(key(channel), message));
    },
    async subscribe(channel, listener): Promise<Unsubscribe> {
      const name = key(channel);
      let state = channels.get(name);
      if (!state) {
        state = { listeners: new Set(), ready: subscriber.subscribe(name) };
        channels.set(name, state);
      }
      const own = (message: string) => listener(message);
      state.listeners.add(own);
      const joined = state;
      try {
        await joined.ready;
      } catch (err) {
        await leave(name, joined, own);
        throw err;
      }
      return () => leave(name, joined, own);
    },
  };
}
