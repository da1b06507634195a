/**
 * The error kinds the inner layers throw. They know nothing of HTTP or JSON-RPC:
 * `errors.ts` at the top of `src/` maps each kind to the `{error, detail}` catalog
 * in one place, for every transport.
 */

/** Input that breaks a rule: `field` names what was wrong, `message` says how to fix it. */
export class InvalidInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** A backing service (the database, Redis) does not answer right now; the caller may try again. */
export class Unavailable extends Error {
  constructor(
    readonly service: 'store' | 'live',
    message: string,
  ) {
    super(message);
    this.name = 'Unavailable';
  }
}
