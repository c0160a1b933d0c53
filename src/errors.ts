/**
 * One error type for everything the CLI reports to a person. Each code maps to a documented
 * exit code (README "Exit codes"); `remediation` says what to do, in one line.
 */
export type AuditErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_USAGE'
  | 'ERR_OKTA_AUTH'
  | 'ERR_OKTA_UNREACHABLE'
  | 'ERR_READ_ONLY_VIOLATION'
  | 'ERR_SNAPSHOT'
  | 'ERR_REPORT'
  | 'ERR_INTERRUPTED';

export const EXIT_CODES: Record<AuditErrorCode, number> = {
  ERR_CONFIG_INVALID: 2,
  ERR_USAGE: 2,
  ERR_OKTA_AUTH: 3,
  ERR_OKTA_UNREACHABLE: 4,
  ERR_READ_ONLY_VIOLATION: 5,
  ERR_SNAPSHOT: 6,
  ERR_REPORT: 7,
  ERR_INTERRUPTED: 130,
};

export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** A configuration problem: `setting` is the key a user edits, `fix` the one-line remedy. */
export function configError(setting: string, problem: string, fix: string): AuditError {
  return new AuditError('ERR_CONFIG_INVALID', `${setting}: ${problem}. ${fix}`);
}
