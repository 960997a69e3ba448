// `pnpm start`'s two helpers: the source hash that decides whether an app is rebuilt
// (tools/app-builds.mjs) and the local CA of `--lan` (tools/lan.mjs). Run by `pnpm deps`.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildIsCurrent, sourceHash, stampBuild } from '../app-builds.mjs';
import { lanCertificates } from '../lan.mjs';

/** A repository laid out as the workspace, with one file in each place a build reads. */
function fixtureRepo() {
  const root = mkdtempSync(join(tmpdir(), 'offpay-builds-'));
  for (const dir of ['apps/sender/src', 'apps/sender/dist', 'apps/receiver/src']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const pkg of ['app-kit', 'api', 'protocol', 'crypto']) {
    mkdirSync(join(root, 'packages', pkg, 'src'), { recursive: true });
    writeFileSync(join(root, 'packages', pkg, 'src', 'index.ts'), `export const name = '${pkg}';`);
  }
  writeFileSync(join(root, 'apps/sender/src/main.ts'), 'console.log(1);');
  writeFileSync(join(root, 'apps/receiver/src/main.ts'), 'console.log(2);');
  writeFileSync(join(root, 'apps/sender/dist/sw.js'), '');
  writeFileSync(join(root, 'pnpm-lock.yaml'), 'lockfileVersion: 9');
  return root;
}

test('an app is rebuilt only when a source it builds from changed', () => {
  const root = fixtureRepo();
  try {
    const hash = sourceHash(root, 'sender', {});
    assert.equal(buildIsCurrent(root, 'sender', hash), false, 'never built: stale');
    stampBuild(root, 'sender', hash);
    assert.equal(buildIsCurrent(root, 'sender', sourceHash(root, 'sender', {})), true);
    // Tests and the build's own output are not inputs.
    mkdirSync(join(root, 'apps/sender/test'));
    writeFileSync(join(root, 'apps/sender/test/a.test.ts'), 'x');
    assert.equal(sourceHash(root, 'sender', {}), hash);
    // The other app's sources are not inputs; a shared package, the lockfile and the build-time
    // bank address are.
    writeFileSync(join(root, 'apps/receiver/src/main.ts'), 'console.log(3);');
    assert.equal(sourceHash(root, 'sender', {}), hash);
    writeFileSync(join(root, 'packages/protocol/src/index.ts'), 'export const name = 1;');
    const changed = sourceHash(root, 'sender', {});
    assert.notEqual(changed, hash);
    assert.equal(buildIsCurrent(root, 'sender', changed), false);
    writeFileSync(join(root, 'pnpm-lock.yaml'), 'lockfileVersion: 10');
    assert.notEqual(sourceHash(root, 'sender', {}), changed);
    const withBank = sourceHash(root, 'sender', { VITE_BANK_URL: 'https://bank.example' });
    assert.notEqual(withBank, sourceHash(root, 'sender', {}));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the console, which has no service worker, counts as built by its page', () => {
  const root = fixtureRepo();
  try {
    mkdirSync(join(root, 'apps/console/src'), { recursive: true });
    writeFileSync(join(root, 'apps/console/src/main.ts'), 'console.log(4);');
    const hash = sourceHash(root, 'console', {});
    mkdirSync(join(root, 'apps/console/dist'));
    stampBuild(root, 'console', hash);
    assert.equal(buildIsCurrent(root, 'console', hash), false, 'a stamp without a page: stale');
    writeFileSync(join(root, 'apps/console/dist/index.html'), '<!doctype html>');
    assert.equal(buildIsCurrent(root, 'console', hash), true);
    assert.equal(buildIsCurrent(root, 'sender', sourceHash(root, 'sender', {})), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the LAN CA is made once, kept private, and signs a certificate for the address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'offpay-lan-'));
  try {
    const first = await lanCertificates(join(dir, 'lan'), '192.168.1.20');
    assert.equal(first.caCreated, true);
    assert.equal(statSync(join(dir, 'lan', 'ca-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(first.keyFile).mode & 0o777, 0o600);
    const ca = new X509Certificate(readFileSync(first.caCertFile));
    const leaf = new X509Certificate(readFileSync(first.certFile));
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.equal(leaf.verify(ca.publicKey), true, 'signed by the CA');
    assert.equal(leaf.checkIP('192.168.1.20'), '192.168.1.20');
    assert.equal(leaf.checkIP('192.168.1.21'), undefined);
    assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/, 'serverAuth');
    // Another run keeps the CA (phones trust it) and the certificate; a new address gets its own.
    const again = await lanCertificates(join(dir, 'lan'), '192.168.1.20');
    assert.equal(again.caCreated, false);
    assert.equal(again.spki, first.spki);
    const moved = await lanCertificates(join(dir, 'lan'), '10.0.0.7');
    assert.equal(new X509Certificate(readFileSync(moved.certFile)).verify(ca.publicKey), true);
    assert.equal(readFileSync(moved.caCertFile, 'utf8'), readFileSync(first.caCertFile, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
