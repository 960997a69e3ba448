/**
 * The offline-trust simulation's model (issue #12 item 7), pure: the settings, a seeded PRNG, the
 * parties and what the model expects of each, the documented bounds (docs/threat-model.md §4,
 * §4.1) and the table of figures. The bank is driven by offline-trust.db.test.ts; this module
 * holds no I/O, so its bookkeeping is the same whatever the bank answers.
 */
import { detectFraud, type ChainLink } from '@offpay/protocol';

/** How big a run is. */
export interface Setting {
  name: 'bounded' | 'long';
  /** Honest payers (each one certificate). */
  honest: number;
  /** Malicious payers of each {@link CHEAT_KINDS} kind, and stolen-key victims. */
  perKind: number;
  /** Honest merchants' tills. */
  tills: number;
  /** Tills of each thief (one thief per stolen key). */
  thiefTills: number;
  rounds: number;
  /** A till's revocation list is up to this many rounds old. */
  maxStaleness: number;
  /** Bank seconds between two rounds at most (tokens live 900 s: the whole run stays within). */
  maxStepSeconds: number;
}

/** The default, run by `.ci/run`: well under a minute on a loaded 2-core machine. */
export const BOUNDED: Setting = {
  name: 'bounded',
  honest: 6,
  perKind: 1,
  tills: 5,
  thiefTills: 2,
  rounds: 10,
  maxStaleness: 4,
  maxStepSeconds: 60,
};

/** `SIM_LONG=1` (`pnpm simulate:long`): many more payers, tills and rounds. */
export const LONG: Setting = {
  name: 'long',
  honest: 40,
  perKind: 5,
  tills: 20,
  thiefTills: 3,
  rounds: 60,
  maxStaleness: 12,
  maxStepSeconds: 12,
};

/** The setting and seed from the environment (`SIM_LONG`, `SIM_SEED`). */
export function settingFromEnv(env: Record<string, string | undefined>): {
  setting: Setting;
  seed: number;
} {
  const setting = env.SIM_LONG === '1' ? LONG : BOUNDED;
  const given = env.SIM_SEED === undefined ? NaN : Number(env.SIM_SEED);
  const seed = Number.isSafeInteger(given) && given >= 0 ? given >>> 0 : newSeed();
  return { setting, seed };
}

function newSeed(): number {
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** mulberry32: a small seeded PRNG, enough to replay a run from its seed. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing');
    return items[this.int(0, items.length - 1)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/**
 * Malicious payers: double spend (one counter to two tills), over-limit then over-reserve (the
 * whole allowance again at several tills), replay (one payment shown to a second till),
 * malleated re-send (a duplicate, never fraud), expired certificate.
 */
export const CHEAT_KINDS = [
  'double-spend',
  'over-reserve',
  'replay',
  'malleated',
  'expired',
] as const;
export type CheatKind = (typeof CHEAT_KINDS)[number];
/** Every kind of account holder: honest, a cheat, or the owner of a stolen key. */
export type HolderKind = 'honest' | CheatKind | 'stolen';

/** Holder kinds whose certificate must be proven to cheat (by the end of the run). */
export const PROVEN_KINDS: ReadonlySet<HolderKind> = new Set(['double-spend', 'over-reserve']);
/** Holder kinds that must never be flagged: their payments form no fraud proof. */
export const NEVER_FLAGGED: ReadonlySet<HolderKind> = new Set([
  'honest',
  'replay',
  'malleated',
  'expired',
]);

/** One account holder with one payer certificate, as the model follows it. */
export interface Holder {
  name: string;
  kind: HolderKind;
  serial: number;
  limit: bigint;
  /** What the account was funded with (reserve included). */
  funded: bigint;
  /** Settled under the certificate (the model's sum of the bank's `settled` results). */
  settled: bigint;
  /** Of that, paid by the holder themself (honest payments), before any theft. */
  ownSettled: bigint;
  /** For a stolen key: the round of the theft and of the report. */
  stolenAt?: number;
  reportedAt?: number;
  /** For a stolen key: what had settled under the certificate when the owner reported it. */
  settledAtReport?: bigint;
}

/** One till, honest or a thief's. */
export interface Till {
  name: string;
  thief: boolean;
  /** Rounds its revocation list lags behind the bank's. */
  staleness: number;
  /** Accepted offline, by payer serial. */
  accepted: Map<number, bigint>;
  /** Accepted but rejected at settlement (not duplicates): the merchant's loss, by serial. */
  lost: Map<number, bigint>;
  /** Credited by settlement. */
  credited: bigint;
  /** Refused offline, by code. */
  refused: Map<string, number>;
}

/** A new till. */
export function till(name: string, thief: boolean, staleness: number): Till {
  return {
    name,
    thief,
    staleness,
    accepted: new Map(),
    lost: new Map(),
    credited: 0n,
    refused: new Map(),
  };
}

function add<K>(m: Map<K, bigint>, k: K, v: bigint): void {
  m.set(k, (m.get(k) ?? 0n) + v);
}

/** Counts one offline refusal. */
export function refusedOffline(t: Till, code: string): void {
  t.refused.set(code, (t.refused.get(code) ?? 0) + 1);
}

/** Records an offline acceptance. */
export function acceptedOffline(t: Till, serial: number, amount: bigint): void {
  add(t.accepted, serial, amount);
}

/** RECOVERY_CAP_PERCENT of the simulated bank: the documented default. */
export const RECOVERY_CAP_PERCENT = 100;

/** The recovery cap `C = floor(L × percent / 100)` (docs/threat-model.md §4.1). */
export function recoveryCap(limit: bigint, percent = BigInt(RECOVERY_CAP_PERCENT)): bigint {
  return (limit * percent) / 100n;
}

/**
 * The documented bound on what settles under a holder's certificate (§4.1): `L + C`; and after
 * the owner reports a stolen key, nothing beyond what is left of the reserve, so at most
 * `max(settled at the report, L)`.
 */
export function holderBound(h: Holder): bigint {
  const cap = h.limit + recoveryCap(h.limit);
  if (h.settledAtReport === undefined) return cap;
  const afterReport = h.settledAtReport > h.limit ? h.settledAtReport : h.limit;
  return afterReport < cap ? afterReport : cap;
}

/**
 * A holder's loss: what settled under the certificate beyond what the holder paid themself
 * (for an honest payer 0; for a cheat everything that settled, which is all of its own doing).
 */
export function holderLoss(h: Holder): bigint {
  return h.settled - h.ownSettled;
}

/**
 * The documented exposure of a merchant's till (§4, §4.1): per payer certificate at most its
 * limit `L` (invariant 3: one till refuses what conflicts with its own ledger), and nothing from
 * an honest payer. Returns the exposure per serial for the serials it accepted from.
 */
export function tillExposure(t: Till, holders: ReadonlyMap<number, Holder>): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const [serial, amount] of t.accepted) {
    const h = holders.get(serial);
    const cheat = h !== undefined && !NEVER_FLAGGED.has(h.kind);
    out.set(serial, cheat ? (amount < h.limit ? amount : h.limit) : 0n);
  }
  return out;
}

/** The bank's view of settled chain links per serial, to say which settlement reveals a cheat. */
export class Revealer {
  readonly #settled = new Map<number, ChainLink[]>();
  /** serial → settlement number (1-based) of the first settlement that revealed it. */
  readonly revealedAt = new Map<number, number>();

  /** Whether `p` forms a fraud proof with a payment settled before it. */
  reveals(p: ChainLink): boolean {
    return (this.#settled.get(p.serial) ?? []).some((s) => detectFraud(s, p) !== null);
  }

  /** Records one entry of settlement `n` as the bank judged it. */
  judged(n: number, p: ChainLink, settled: boolean): void {
    if (this.reveals(p) && !this.revealedAt.has(p.serial)) this.revealedAt.set(p.serial, n);
    if (settled) {
      const list = this.#settled.get(p.serial) ?? [];
      list.push(p);
      this.#settled.set(p.serial, list);
    }
  }
}

/** Records a settled or rejected entry in the model. */
export function settledEntry(
  h: Holder | undefined,
  t: Till,
  amount: bigint,
  status: 'settled' | 'duplicate' | 'rejected',
  own: boolean,
): void {
  if (status === 'settled') {
    t.credited += amount;
    if (h) {
      h.settled += amount;
      if (own) h.ownSettled += amount;
    }
  } else if (status === 'rejected' && h) {
    add(t.lost, h.serial, amount);
  }
}

const sum = (xs: Iterable<bigint>): bigint => {
  let s = 0n;
  for (const x of xs) s += x;
  return s;
};

/** The figures, one row per kind of party, for the printed table. */
export interface Row {
  party: string;
  n: number;
  accepted: bigint;
  settled: bigint;
  /** The largest loss of one party of the kind. */
  maxLoss: bigint;
  /**
   * The smallest room left under a documented bound, over the parties of the kind: for a holder
   * `holderBound − settled`, for a merchant's till `exposure − loss` per certificate, for the bank
   * `0 − loss`; null where no bound is documented (a thief's till). Never negative.
   */
  minSlack: bigint | null;
  /** Holders proven to cheat (a stored fraud proof) of all of the kind. */
  proven: string;
  /** Payments the tills refused offline, by code. */
  refused: string;
}

const min = (xs: bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
const max = (xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a), 0n);

/** Builds the table rows from the model. */
export function rows(
  holders: readonly Holder[],
  tills: readonly Till[],
  proven: ReadonlySet<number>,
  bankLoss: bigint,
): Row[] {
  const out: Row[] = [];
  const bySerial = new Map(holders.map((h) => [h.serial, h]));
  const kinds: HolderKind[] = ['honest', ...CHEAT_KINDS, 'stolen'];
  for (const kind of kinds) {
    const hs = holders.filter((h) => h.kind === kind);
    if (hs.length === 0) continue;
    const acceptedOf = (h: Holder) => sum(tills.map((t) => t.accepted.get(h.serial) ?? 0n));
    out.push({
      party: `holder: ${kind}`,
      n: hs.length,
      accepted: sum(hs.map(acceptedOf)),
      settled: sum(hs.map((h) => h.settled)),
      maxLoss: max(hs.map(holderLoss)),
      minSlack: min(hs.map((h) => holderBound(h) - h.settled)),
      proven: `${hs.filter((h) => proven.has(h.serial)).length}/${hs.length}`,
      refused: '',
    });
  }
  for (const thief of [false, true]) {
    const ts = tills.filter((t) => t.thief === thief);
    if (ts.length === 0) continue;
    const slacks = ts.flatMap((t) => {
      const exposure = tillExposure(t, bySerial);
      return [...exposure].map(([serial, e]) => e - (t.lost.get(serial) ?? 0n));
    });
    out.push({
      party: thief ? "till: a thief's" : 'till: merchant',
      n: ts.length,
      accepted: sum(ts.flatMap((t) => [...t.accepted.values()])),
      settled: sum(ts.map((t) => t.credited)),
      maxLoss: max(ts.map((t) => sum(t.lost.values()))),
      minSlack: thief || slacks.length === 0 ? null : min(slacks),
      proven: '',
      refused: refusals(ts),
    });
  }
  out.push({
    party: 'bank',
    n: 1,
    accepted: 0n,
    settled: 0n,
    maxLoss: bankLoss,
    minSlack: -bankLoss,
    proven: '',
    refused: '',
  });
  return out;
}

/** Offline refusals of `tills` by code (without its PROTO_ prefix), most frequent first. */
function refusals(tills: readonly Till[]): string {
  const by = new Map<string, number>();
  for (const t of tills) for (const [code, n] of t.refused) by.set(code, (by.get(code) ?? 0) + n);
  return [...by]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code.replace(/^PROTO_/, '')} ${n}`)
    .join(', ');
}

/** The table as a Markdown table (minor units; — where no bound is documented). */
export function formatTable(title: string, table: readonly Row[]): string {
  const head = [
    'party',
    'n',
    'accepted',
    'settled',
    'max loss',
    'min slack',
    'proven',
    'refused offline',
  ];
  const body = table.map((r) => [
    r.party,
    String(r.n),
    String(r.accepted),
    String(r.settled),
    String(r.maxLoss),
    r.minSlack === null ? '—' : String(r.minSlack),
    r.proven,
    r.refused,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    title,
    '',
    line(head),
    `|${widths.map((w, i) => (i === 0 || i === 7 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
