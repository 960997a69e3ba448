/**
 * The app's session with its bank: a client for the bank address the user set, and the access
 * token — in memory only, gone on reload, never stored. Every call that needs the token goes
 * through {@link BankSession.authed}, which applies the one "signed out" rule (errors.ts
 * `isSignedOut`): the token is forgotten and the screen asks the user to sign in again.
 */
import { BankClient } from './bank.js';
import { BankRefusal, isSignedOut } from './errors.js';
import { BANK_URL_KEY, bankUrl, normalizeBankUrl } from './rules.js';
import type { MetaDb } from './storage/db.js';

export class BankSession {
  #token: string | undefined;

  constructor(
    private readonly db: MetaDb,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  /** A client for the bank address stored now. */
  async client(): Promise<BankClient> {
    return new BankClient(await bankUrl(this.db), this.fetchImpl);
  }

  /** True while a token is held (the bank may still refuse it: see {@link authed}). */
  get signedIn(): boolean {
    return this.#token !== undefined;
  }

  /** Logs in and keeps the token. @throws BankRefusal BANK_BAD_CREDENTIALS…; AppError APP_OFFLINE */
  async signIn(email: string, password: string): Promise<void> {
    this.#token = await (await this.client()).login(email.trim(), password);
  }

  /** Keeps a token the app logged in for itself (enrollment logs in as its first step). */
  keep(token: string): void {
    this.#token = token;
  }

  /** Forgets the token. */
  signOut(): void {
    this.#token = undefined;
  }

  /**
   * Runs `fn` with a client and the token. When the bank refuses the session the token is
   * forgotten and the refusal passed on.
   * @throws BankRefusal BANK_AUTH_REQUIRED when no token is held; whatever `fn` throws
   */
  async authed<T>(fn: (client: BankClient, token: string) => Promise<T>): Promise<T> {
    const token = this.#token;
    if (token === undefined) {
      throw new BankRefusal('BANK_AUTH_REQUIRED', 'Sign in to the bank first.', 401);
    }
    try {
      return await fn(await this.client(), token);
    } catch (e) {
      if (isSignedOut(e) && this.#token === token) this.#token = undefined;
      throw e;
    }
  }

  /**
   * Saves a new bank address (normalised); the session ends, a token being one bank's.
   * @throws AppError APP_BANK_URL_INVALID, APP_STORAGE_FAILED
   */
  async setBankUrl(text: string): Promise<string> {
    const url = normalizeBankUrl(text);
    await this.db.write([{ put: 'meta', key: BANK_URL_KEY, value: url }]);
    this.#token = undefined;
    return url;
  }
}
