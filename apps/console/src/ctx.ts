/**
 * What the console's screens share: their routes and the operator's session — the bank client on
 * the page's own origin (the bank serves the console at /console/) and the operator's token, kept
 * in memory only (never localStorage: a reload signs out). Screens import this, never app.ts.
 */
import type { AnswerOf, BodyOf, routes } from '@offpay/api';
import type { BankClient, CallInput, JsonRoute, ScreenCtx, TextRoute } from '@offpay/app-kit';

/** Every screen of the console. `home` is Live activity. */
export type Route =
  | {
      to:
        | 'signin'
        | 'home'
        | 'merchants'
        | 'accounts'
        | 'deposits'
        | 'payouts'
        | 'refunds'
        | 'fraud'
        | 'certificates'
        | 'audit'
        | 'reconcile'
        | 'summary'
        | 'webhooks';
    }
  | { to: 'account'; id: string };

/** The signed-in operator. */
export type Operator = AnswerOf<typeof routes.operatorLogin>['operator'];

/** What a call sends besides the token (the session adds it). */
export type Input<R extends JsonRoute | TextRoute> = Omit<CallInput<R>, 'token'>;

/** The session the screens share. */
export interface ConsoleApp {
  readonly client: BankClient;
  /** The operator signed in, or undefined. */
  readonly operator: Operator | undefined;
  signIn(body: BodyOf<typeof routes.operatorLogin>): Promise<Operator>;
  signOut(): Promise<void>;
  /** A JSON call as the operator. A refused session signs out and opens Sign in. */
  call<R extends JsonRoute>(route: R, input: Input<R>): Promise<AnswerOf<R>>;
  /** A file (CSV, XML) as the operator. */
  text<R extends TextRoute>(route: R, input: Input<R>): Promise<string>;
  /** The token for a stream (the activity screen); undefined when signed out. */
  token(): string | undefined;
  /** Called when the bank refused the session: forget it and open Sign in. */
  signedOut(): void;
}

/** What a console screen is given. */
export type Ctx = ScreenCtx<Route, ConsoleApp>;
