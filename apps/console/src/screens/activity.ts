/**
 * Live activity: the bank's snapshot stream (GET /v1/operator/activity, server-sent events read
 * with fetch and the Bearer header) — settlements in the last minute and their value, reserves
 * outstanding, fraud proofs, revocations, and the health of the database and Redis. The figures
 * are a polite live region; the stream is reopened with backoff when it drops.
 */
import { routes, type EventOf } from '@offpay/api';
import { describeError, h, isBankRefusal, isSignedOut, notice } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor } from '../format.js';
import { keepOpen, type LiveState } from '../live.js';
import { facts } from '../table.js';

/** One snapshot of the stream. */
export type Snapshot = EventOf<typeof routes.operatorActivity>;

const HEALTH_WORDS = { ok: 'OK', down: 'Down', 'not-configured': 'Not configured (in-process)' };

/** "3 settlements, 12.50 EUR" per currency, or "None". */
function perCurrency(items: readonly { currency: string; valueMinor: string; count?: number }[]) {
  if (items.length === 0) return 'None';
  return items
    .map((i) =>
      i.count === undefined
        ? formatMinor(i.valueMinor, i.currency)
        : `${i.count} (${formatMinor(i.valueMinor, i.currency)})`,
    )
    .join('; ');
}

/** The figures of a snapshot as label/value pairs, in the order shown. */
export function activityFigures(s: Snapshot): [string, string][] {
  return [
    ['Settlements in the last minute', perCurrency(s.settlementsLastMinute)],
    ['Reserves outstanding', perCurrency(s.reservesOutstanding)],
    ['Fraud proofs', `${s.fraudProofs.last24h} in 24 h · ${s.fraudProofs.total} in all`],
    ['Revocations', `${s.revocations.last24h} in 24 h · ${s.revocations.total} in all`],
    ['Database', HEALTH_WORDS[s.database]],
    ['Redis', HEALTH_WORDS[s.redis]],
    ['As of', formatInstant(s.at)],
  ];
}

/** The stream's state in words. */
export function liveWords(state: LiveState): {
  kind: 'ok' | 'info' | 'error';
  title: string;
  text?: string;
} {
  switch (state.state) {
    case 'connecting':
      return { kind: 'info', title: 'Connecting to the bank…' };
    case 'open':
      return { kind: 'ok', title: 'Live' };
    case 'waiting': {
      const why = state.error === undefined ? 'The stream ended.' : describeError(state.error).text;
      return {
        kind: 'info',
        title: `Reconnecting in ${Math.ceil(state.retryInMs / 1000)} s`,
        text: why,
      };
    }
    case 'stopped':
      return { kind: 'error', title: 'Not live', text: describeError(state.error).text };
  }
}

export function activityScreen(ctx: Ctx): void {
  const status = h('div', { class: 'live-status' });
  const figures = h(
    'div',
    { class: 'card activity', 'aria-live': 'polite', 'aria-atomic': 'true' },
    h('p', { class: 'muted' }, 'Waiting for the first snapshot…'),
  );
  const live = keepOpen({
    open: (signal, onClose) => {
      const token = ctx.app.token();
      if (!token) return Promise.reject(new Error('signed out'));
      return ctx.app.client.stream(
        routes.operatorActivity,
        { token },
        (snapshot) => figures.replaceChildren(facts(activityFigures(snapshot))),
        signal,
        { onClose, types: ['activity'] },
      );
    },
    final: (e) => isSignedOut(e) || isBankRefusal(e, 'BANK_ROLE_FORBIDDEN') || !ctx.app.token(),
    onState: (state) => {
      if (state.state === 'stopped' && isSignedOut(state.error)) ctx.app.signedOut();
      const words = liveWords(state);
      status.replaceChildren(notice(words.kind, words.title, words.text));
    },
  });
  ctx.onLeave(() => live.stop());
  ctx.show('Live activity', status, figures);
}
