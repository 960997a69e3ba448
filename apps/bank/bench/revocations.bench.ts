/**
 * The revocation list at 100,000 serials (issue #12 item 5): the full list's size, a delta's size
 * after 1 and 100 new revocations, the time to publish (sign and store) a list inside a
 * revocation's transaction and to sign one alone, the time of GET /v1/revocations over HTTP
 * through the app (full and `?since=`), and Postgres storage of the revocation tables before and
 * after. The 100,000 revoked certificates are inserted with SQL (cloned from one enrolled payer);
 * the timed revocations go through `RevocationsService.revoke`.
 *
 * Run: `pnpm bench`, or alone `pnpm exec tsx bench/revocations.bench.ts` (DATABASE_URL or the local
 * offpay_test database; its own schema, dropped). BENCH_REVOCATIONS changes the 100,000.
 */
import { performance } from 'node:perf_hooks';
import { encodeRevocationList, signRevocationList } from '@offpay/protocol';
import { protocolSigner } from '../src/modules/keys/keys.signer.js';
import { World } from '../test/helpers/world.js';
import { benchConfig, fmt, machineInfo } from './fixtures.js';

const N = Number(process.env.BENCH_REVOCATIONS ?? 100_000);
const TABLES = [
  'revocations',
  'revocation_lists',
  'revocation_list_changes',
  'revocation_list_entries',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Bytes of each revocation table (pg_total_relation_size: heap, TOAST and indexes). */
async function storage(world: World): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const rows = await world.db.query<{ n: string }>(
      `SELECT pg_total_relation_size($1::regclass)::text AS n`,
      [t],
    );
    out[t] = Number(rows[0]!.n);
  }
  return out;
}

/** `n` payer certificates cloned from one enrolled payer; the first `revoked` revoked by SQL. */
async function bulk(world: World, n: number, revoked: number): Promise<number[]> {
  const template = (await world.payer(10n)).cert.serial;
  const rows = await world.db.query<{ serial: string }>(
    `INSERT INTO payer_certificates (account_id, issuer_kid, kid, sign_key, currency, limit_minor,
       issued_at, expires_at, cert)
     SELECT account_id, issuer_kid, kid, sign_key, currency, limit_minor, issued_at, expires_at, cert
     FROM payer_certificates, generate_series(1, $2) WHERE serial = $1
     RETURNING serial::text`,
    [template, n],
  );
  const serials = rows.map((r) => Number(r.serial)).sort((a, b) => a - b);
  await world.db.query(
    `UPDATE payer_certificates SET status = 'closed', closed_at = issued_at
     WHERE serial = ANY($1::bigint[])`,
    [serials.slice(0, revoked)],
  );
  await world.db.query(
    `INSERT INTO revocations (serial, reason, created_at)
     SELECT s, 'closed', now() FROM unnest($1::bigint[]) AS s`,
    [serials.slice(0, revoked)],
  );
  return serials.slice(revoked);
}

/** Revokes `serial` through the service; ms of its transaction (lock, changes, sign, store). */
async function revoke(world: World, serial: number): Promise<number> {
  const t0 = performance.now();
  await world.db.transaction((tx) =>
    world.app.services.revocations.revoke(tx, { serial, reason: 'compromised' }),
  );
  return performance.now() - t0;
}

/** GET `path` over HTTP `runs` times: median ms and the body's bytes. */
async function fetchTimes(base: string, path: string, runs: number) {
  const ms: number[] = [];
  let bytes = 0;
  let body: { kind: string; signed: string } | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(base + path);
    const text = await res.text();
    ms.push(performance.now() - t0);
    bytes = text.length;
    body = JSON.parse(text) as { kind: string; signed: string };
  }
  const signedBytes = Buffer.from(body!.signed, 'base64url').length;
  return { ms: median(ms), first: ms[0]!, bytes, signedBytes, kind: body!.kind };
}

const mb = (b: number) => fmt(b / 1024 / 1024, 1);

async function main(): Promise<void> {
  const world = await World.create({ config: benchConfig(0) });
  try {
    const empty = await storage(world);
    const fresh = await bulk(world, N + 101, N);
    // The first publication takes the N bulk revocations in (one-off; untimed in the table).
    await revoke(world, fresh.shift()!);
    const afterN = await storage(world);
    const base = (await world.app.services.revocations.revocationList()).seq;
    const publishMs: number[] = [];
    for (const serial of fresh) publishMs.push(await revoke(world, serial));
    const after100 = await storage(world);
    // Superseded lists are deleted; VACUUM (autovacuum in production) makes their space reusable.
    await world.db.query('VACUUM revocation_lists, revocation_list_entries');
    const vacuumed = await storage(world);

    const list = await world.app.services.revocations.revocationList();
    const signer = protocolSigner(world.app.services.keyring);
    const signMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      encodeRevocationList(
        signRevocationList({ seq: list.seq, issuedAt: 0, serials: list.serials }, signer),
      );
      signMs.push(performance.now() - t0);
    }

    await world.app.listen({ host: '127.0.0.1', port: 0 });
    const address = world.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}`;
    const full = await fetchTimes(url, '/v1/revocations', 11);
    const one = await fetchTimes(url, `/v1/revocations?since=${list.seq - 1}`, 11);
    const hundred = await fetchTimes(url, `/v1/revocations?since=${base}`, 11);

    const rows = [
      `Revocation list at ${fmt(list.serials.length)} serials — ${machineInfo()}, ${new Date().toISOString()}`,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| full list, signed bytes | ${fmt(full.signedBytes)} B |`,
      `| full list, JSON answer of GET /v1/revocations | ${fmt(full.bytes)} B |`,
      `| delta after 1 revocation: signed / JSON | ${fmt(one.signedBytes)} B / ${fmt(one.bytes)} B (${one.kind}) |`,
      `| delta after 100 revocations: signed / JSON | ${fmt(hundred.signedBytes)} B / ${fmt(hundred.bytes)} B (${hundred.kind}) |`,
      `| sign + encode the list alone (median of 5) | ${fmt(median(signMs), 1)} ms |`,
      `| one revocation's transaction incl. publishing the list (median of 100) | ${fmt(median(publishMs), 1)} ms (max ${fmt(Math.max(...publishMs), 1)}) |`,
      `| GET /v1/revocations over HTTP (median of 11; first, cold) | ${fmt(full.ms, 1)} ms (${fmt(full.first, 1)}) |`,
      `| GET ?since= (1 new), median of 11; first | ${fmt(one.ms, 1)} ms (${fmt(one.first, 1)}) |`,
      `| GET ?since= (100 new), median of 11; first | ${fmt(hundred.ms, 1)} ms (${fmt(hundred.first, 1)}) |`,
      '',
      '| table | empty | after the list took in N | after 100 more revocations | then VACUUM |',
      '| --- | --- | --- | --- | --- |',
      ...TABLES.map(
        (t) =>
          `| ${t} | ${mb(empty[t]!)} MB | ${mb(afterN[t]!)} MB | ${mb(after100[t]!)} MB | ${mb(vacuumed[t]!)} MB |`,
      ),
      '',
      `Before issue #12 item 5, the 100 revocations would have stored 100 whole lists: ` +
        `~${mb(100 * full.signedBytes)} MB in revocation_lists.`,
    ];
    console.log(rows.join('\n'));
  } finally {
    await world.close();
  }
}

await main();
