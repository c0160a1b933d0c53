import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A credential held so that logging or serialising the config cannot print it: JSON, string
 * conversion and util.inspect all give "[redacted]". Only `reveal()` returns the value, so every
 * place that sends a secret to Okta is easy to find.
 */
export class Secret {
  // A private field is invisible to JSON.stringify, Object.keys, spread and structuredClone.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
