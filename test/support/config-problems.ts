import { expect } from 'vitest';
import { ConfigError } from '../../src/errors.js';

/** The lines a config error lists (one per problem); fails the test when `fn` does not throw one. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}
