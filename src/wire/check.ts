import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Why `value` does not have the shape `schema` declares, as one short phrase naming
 * the first offending field (e.g. "rooms: must be array"), or null when it does.
 * Extra fields are fine (SPEC §10: answers may grow fields). Clients use it to
 * refuse an answer from something that is not an argybargy bridge before reading it.
 */
export function shapeProblem(schema: TSchema, value: unknown): string | null {
  if (Value.Check(schema, value)) return null;
  const first = Value.Errors(schema, value)[0];
  if (!first) return 'does not match';
  const field = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  return `${field || 'the answer'}: ${first.message}`.slice(0, 160);
}
