// @ts-check
/**
 * `pnpm start --lan`: HTTPS for phones on the local network. A local certificate authority is
 * created on the first run (with @peculiar/x509 over Node's WebCrypto) and kept in a git-ignored
 * folder (`.data/lan/`); it signs a server certificate for the machine's LAN address, renewed when
 * the address changes or the certificate nears its end. The CA's private key is written once, with
 * mode 0600, and never printed or logged; only the CA certificate is handed out (phones install it).
 */
import { X509Certificate as NodeX509, createHash, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(/** @type {Crypto} */ (/** @type {unknown} */ (webcrypto)));

/** ECDSA P-256 with SHA-256: what every phone's TLS stack accepts. */
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
/** The CA lives ten years; server certificates 397 days (Apple's limit for TLS server certs). */
const CA_DAYS = 3650;
const LEAF_DAYS = 397;
/** A server certificate this close to its end is made again. */
const RENEW_DAYS = 30;

/**
 * The machine's address on the local network: the first non-internal IPv4 address, private
 * ranges first; `override` (OFFPAY_LAN_ADDRESS) wins.
 * @param {string | undefined} [override]
 * @returns {string | undefined}
 */
export function lanAddress(override) {
  if (override) return override;
  const all = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => /** @type {import('node:os').NetworkInterfaceInfo} */ (a).address);
  const isPrivate = (/** @type {string} */ a) =>
    /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a);
  return all.find(isPrivate) ?? all[0];
}

/** @param {ArrayBuffer} der @param {string} label */
const pem = (der, label) => x509.PemConverter.encode(der, label);

/** A positive random serial number (RFC 5280 §4.1.2.2: at most 20 octets). */
const serial = () => '01' + randomBytes(15).toString('hex');

/**
 * @param {string} path
 * @param {string} text
 * @param {number} mode
 */
function writeFile(path, text, mode) {
  writeFileSync(path, text, { mode });
}

/**
 * The CA: read from `dir`, or created there on the first run.
 * @param {string} dir
 * @returns {Promise<{ cert: x509.X509Certificate; key: CryptoKey; created: boolean }>}
 */
async function certificateAuthority(dir) {
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const der = x509.PemConverter.decodeFirst(readFileSync(keyPath, 'utf8'));
    const key = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
    return { cert: new x509.X509Certificate(readFileSync(certPath, 'utf8')), key, created: false };
  }
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=offpay local CA ${randomBytes(4).toString('hex')}, O=offpay development`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      // A CA that may sign server certificates only (path length 0).
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  writeFile(keyPath, pem(pkcs8, 'PRIVATE KEY'), 0o600);
  writeFile(certPath, cert.toString('pem'), 0o644);
  return { cert, key: keys.privateKey, created: true };
}

/**
 * @param {string} certPath
 * @param {string} address
 * @returns {boolean} true when the certificate there names `address` and is not near its end
 */
function leafUsable(certPath, address) {
  if (!existsSync(certPath)) return false;
  const cert = new NodeX509(readFileSync(certPath));
  const endsIn = new Date(cert.validTo).getTime() - Date.now();
  return cert.checkIP(address) === address && endsIn > RENEW_DAYS * DAY_MS;
}

/**
 * A server certificate for `address` (and localhost), signed by the CA.
 * @param {{ cert: x509.X509Certificate; key: CryptoKey }} ca
 * @param {string} address
 * @returns {Promise<{ certPem: string; keyPem: string }>}
 */
async function issueLeaf(ca, address) {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - DAY_MS);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${address}`,
    issuer: ca.cert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + LEAF_DAYS * DAY_MS),
    signingKey: ca.key,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: address },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  // The chain the server sends: its own certificate, then the CA's.
  return {
    certPem: `${cert.toString('pem')}\n${ca.cert.toString('pem')}\n`,
    keyPem: pem(pkcs8, 'PRIVATE KEY'),
  };
}

/**
 * The CA and a server certificate for `address`, in `dir` (created on the first run).
 * @param {string} dir a git-ignored folder (`.data/lan`)
 * @param {string} address the LAN IPv4 address the phones use
 * @returns {Promise<{ caCertFile: string; certFile: string; keyFile: string; spki: string; caCreated: boolean }>}
 *   `spki`: base64 SHA-256 of the server key (Chromium's --ignore-certificate-errors-spki-list)
 */
export async function lanCertificates(dir, address) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await certificateAuthority(dir);
  const certFile = join(dir, `server-${address}.crt`);
  const keyFile = join(dir, `server-${address}-key.pem`);
  if (!leafUsable(certFile, address)) {
    const leaf = await issueLeaf(ca, address);
    writeFile(keyFile, leaf.keyPem, 0o600);
    writeFile(certFile, leaf.certPem, 0o644);
  }
  const spkiDer = new NodeX509(readFileSync(certFile)).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  return {
    caCertFile: join(dir, 'ca.crt'),
    certFile,
    keyFile,
    spki: createHash('sha256').update(spkiDer).digest('base64'),
    caCreated: ca.created,
  };
}

/** How to make a phone trust the CA, in steps a person follows. */
export function trustSteps(/** @type {string} */ caUrl) {
  return [
    `Trust the local CA once per phone (download it from ${caUrl} on the phone):`,
    '  Android: Settings → Security → More security settings → Encryption & credentials →',
    '           Install a certificate → CA certificate → pick offpay-ca.crt.',
    '  iOS:     open the link in Safari → Allow → Settings → General → VPN & Device Management →',
    '           the offpay profile → Install; then Settings → General → About →',
    '           Certificate Trust Settings → turn on full trust for "offpay local CA".',
  ];
}
