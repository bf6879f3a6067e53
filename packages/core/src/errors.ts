/**
 * Domain errors thrown by core services. The API maps each kind to one
 * HTTP status in a single place (apps/api/src/errors.ts); no router picks
 * a status code by hand.
 */
export type DomainErrorKind =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'INVALID'
  | 'PROVIDER_FAILED'
  | 'UNAVAILABLE';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  /** The input field the error is about, when there is one (dot path). */
  readonly field: string | undefined;
  /** The message without the field name, for per-field issue lists. */
  readonly detail: string;
  constructor(kind: DomainErrorKind, message: string, field?: string, detail?: string) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.field = field;
    this.detail = detail ?? message;
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, field?: string) => new DomainError('CONFLICT', message, field);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const unauthorized = (message: string) => new DomainError('UNAUTHORIZED', message);
export const invalid = (field: string, message: string) =>
  new DomainError('INVALID', `${field}: ${message}`, field, message);
