/**
 * An ISO 20022 credit transfer initiation, pain.001.001.03 (the version SEPA's customer-to-bank
 * implementation guidelines use): one group header, one payment information block paid from the
 * bank's account, one CdtTrfTxInf per payout. Pure: every value is escaped for XML, amounts are
 * decimal text of integer minor units (payouts.domain.ts), counts and control sums are computed
 * here from the same list, so the file always sums right.
 */
import { decimalAmount } from './payouts.domain.js';

/** The namespace of pain.001.001.03. */
export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

/** One payout of a batch as the file carries it. */
export interface Pain001Transfer {
  /** EndToEndId: the payout id (≤ 35 characters). */
  endToEndId: string;
  amount: bigint;
  creditorName: string;
  creditorIban: string;
  /** Unstructured remittance information (≤ 140 characters). */
  remittance: string;
}

/** A batch as the file carries it. */
export interface Pain001Batch {
  /** MsgId and PmtInfId (≤ 35 characters). */
  messageId: string;
  createdAt: Date;
  /** ReqdExctnDt: YYYY-MM-DD. */
  executionDate: string;
  currency: string;
  debtor: { name: string; iban: string; bic: string | null };
  transfers: readonly Pain001Transfer[];
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Text as XML character data or an attribute value. Characters XML 1.0 cannot carry at all (C0
 * controls but tab, CR and LF; lone surrogates; U+FFFE/U+FFFF) are refused: names and references
 * are checked before they get here, so one is a defect.
 * @throws RangeError on a character XML 1.0 forbids
 */
export function xmlEscape(text: string): string {
  // A lone surrogate: a high one not followed by a low one, or a low one not after a high one.
  const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text) || loneSurrogate.test(text))
    throw new RangeError('xmlEscape: a character XML 1.0 cannot carry');
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** `<tag>text</tag>`, escaped. */
const el = (tag: string, text: string) => `<${tag}>${xmlEscape(text)}</${tag}>`;

/** The instant without milliseconds, as ISODateTime (YYYY-MM-DDThh:mm:ss). */
function isoDateTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

function transfer(t: Pain001Transfer, currency: string): string {
  return [
    '<CdtTrfTxInf>',
    `<PmtId>${el('EndToEndId', t.endToEndId)}</PmtId>`,
    `<Amt><InstdAmt Ccy="${xmlEscape(currency)}">${decimalAmount(t.amount, currency)}</InstdAmt></Amt>`,
    `<Cdtr>${el('Nm', t.creditorName)}</Cdtr>`,
    `<CdtrAcct><Id>${el('IBAN', t.creditorIban)}</Id></CdtrAcct>`,
    `<RmtInf>${el('Ustrd', t.remittance)}</RmtInf>`,
    '</CdtTrfTxInf>',
  ].join('\n');
}

/** The debtor's agent: its BIC, or NOTPROVIDED (IBAN-only SEPA). */
function debtorAgent(bic: string | null): string {
  const id = bic ? el('BIC', bic) : `<Othr>${el('Id', 'NOTPROVIDED')}</Othr>`;
  return `<DbtrAgt><FinInstnId>${id}</FinInstnId></DbtrAgt>`;
}

/**
 * The pain.001.001.03 document of `batch`, UTF-8 XML.
 * @throws RangeError when the batch has no transfer
 */
export function pain001(batch: Pain001Batch): string {
  if (batch.transfers.length === 0) throw new RangeError('pain001: a batch needs a transfer');
  const count = String(batch.transfers.length);
  const total = decimalAmount(
    batch.transfers.reduce((sum, t) => sum + t.amount, 0n),
    batch.currency,
  );
  const { debtor } = batch;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN001_NAMESPACE}">`,
    '<CstmrCdtTrfInitn>',
    '<GrpHdr>',
    el('MsgId', batch.messageId),
    el('CreDtTm', isoDateTime(batch.createdAt)),
    el('NbOfTxs', count),
    el('CtrlSum', total),
    `<InitgPty>${el('Nm', debtor.name)}</InitgPty>`,
    '</GrpHdr>',
    '<PmtInf>',
    el('PmtInfId', batch.messageId),
    el('PmtMtd', 'TRF'),
    el('BtchBookg', 'true'),
    el('NbOfTxs', count),
    el('CtrlSum', total),
    '<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>',
    el('ReqdExctnDt', batch.executionDate),
    `<Dbtr>${el('Nm', debtor.name)}</Dbtr>`,
    `<DbtrAcct><Id>${el('IBAN', debtor.iban)}</Id></DbtrAcct>`,
    debtorAgent(debtor.bic),
    el('ChrgBr', 'SLEV'),
    ...batch.transfers.map((t) => transfer(t, batch.currency)),
    '</PmtInf>',
    '</CstmrCdtTrfInitn>',
    '</Document>',
    '',
  ].join('\n');
}
