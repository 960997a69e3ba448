/**
 * The operator's session: the token from POST /v1/operator/auth/login held in this object only
 * (never localStorage, never a URL: a reload signs out), every call made with it, and the one
 * "signed out" rule (app-kit `isSignedOut`): a refused session is forgotten and `onSignedOut`
 * runs, which opens Sign in.
 */
import { routes, type AnswerOf, type BodyOf } from '@offpay/api';
import {
  BankRefusal,
  isSignedOut,
  type BankClient,
  type CallInput,
  type JsonRoute,
  type TextRoute,
} from '@offpay/app-kit';
import type { ConsoleApp, Input, Operator } from './ctx.js';

/** The session behind {@link ConsoleApp}; `onSignedOut` runs when the bank refuses the token. */
export function consoleSession(
  client: BankClient,
  onChange: (operator: Operator | undefined) => void,
): ConsoleApp {
  let session: { token: string; operator: Operator } | undefined;
  const forget = (): void => {
    session = undefined;
    onChange(undefined);
  };
  const authed = async <T>(run: (token: string) => Promise<T>): Promise<T> => {
    const current = session;
    if (!current) {
      forget();
      throw new BankRefusal('BANK_AUTH_REQUIRED', 'Sign in first.', 401);
    }
    try {
      return await run(current.token);
    } catch (e) {
      if (isSignedOut(e) && session === current) forget();
      throw e;
    }
  };
  return {
    client,
    get operator() {
      return session?.operator;
    },
    async signIn(body: BodyOf<typeof routes.operatorLogin>) {
      const answer = await client.call(routes.operatorLogin, { body });
      session = { token: answer.accessToken, operator: answer.operator };
      onChange(answer.operator);
      return answer.operator;
    },
    async signOut() {
      const current = session;
      forget();
      if (current) {
        // Ends every session of this operator at the bank; signed out here whatever it answers.
        await client.call(routes.operatorLogout, { token: current.token }).catch(() => undefined);
      }
    },
    call<R extends JsonRoute>(route: R, input: Input<R>): Promise<AnswerOf<R>> {
      return authed((token) => client.call(route, { ...input, token } as CallInput<R>));
    },
    text<R extends TextRoute>(route: R, input: Input<R>): Promise<string> {
      return authed((token) => client.text(route, { ...input, token } as CallInput<R>));
    },
    token: () => session?.token,
    signedOut: forget,
  };
}
