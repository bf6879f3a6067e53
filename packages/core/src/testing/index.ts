export * from './database.ts';
export * from './principals.ts';
