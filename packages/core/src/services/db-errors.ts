import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { conflict } from '../errors.ts';

export const isUniqueViolation = (error: unknown): boolean => error instanceof UniqueConstraintViolationException;

/** Turns a lost optimistic-lock race into a 409 the client can act on. */
export async function withVersionCheck<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OptimisticLockError) {
      throw conflict(`${what} was changed by another request; reload it and retry`, 'version');
    }
    throw error;
  }
}
