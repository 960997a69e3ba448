/**
 * The console's form parts on top of app-kit's form kit: the reason every change asks for (the
 * contracts require one: it goes into the audit log with who, what and when), a form that shows
 * a mistake in what was typed as words under the fields, and a download of a file from the bank.
 */
import { downloadText, field, form, type Child, type Messages } from '@offpay/app-kit';

/** A mistake in what the operator typed, said under the form's fields. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The shortest and longest reason the bank takes (packages/api routes/operators.ts `reason`). */
export const REASON_MIN = 3;
export const REASON_MAX = 500;

/** Checks a reason as the bank will. @throws InputError */
export function checkReason(text: string): string {
  const reason = text.trim();
  if (reason.length < REASON_MIN) {
    throw new InputError(
      `Say why (at least ${REASON_MIN} characters): it goes into the audit log.`,
    );
  }
  if (reason.length > REASON_MAX)
    throw new InputError(`At most ${REASON_MAX} characters of reason.`);
  return reason;
}

/** The required "Reason" field of a change. */
export function reasonField(label = 'Reason (kept in the audit log)') {
  return field(label, { required: true, maxlength: REASON_MAX, autocomplete: 'off' });
}

/**
 * A form whose typing mistakes (InputError, RangeError from the parsers) are said as "Check the
 * form" with the words, and whose bank refusals are said as the apps say them.
 */
export function checkedForm(
  submitText: string,
  fields: Child[],
  onSubmit: (messages: Messages) => Promise<void>,
  attrs: Record<string, string> = {},
): HTMLFormElement {
  return form(
    submitText,
    fields,
    async (messages) => {
      try {
        await onSubmit(messages);
      } catch (e) {
        if (e instanceof InputError || e instanceof RangeError) {
          messages.say('error', 'Check the form', e.message);
          return;
        }
        throw e;
      }
    },
    attrs,
  );
}

/** Saves a file the bank wrote (CSV, XML) as a download. */
export function saveFile(fileName: string, text: string, mimeType: string): void {
  downloadText(fileName, text, mimeType);
}
