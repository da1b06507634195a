import type { z } from 'zod';
import { InvalidInput } from './errors.js';

/**
 * A tool's arguments schema as an MCP server registers it (Standard Schema with JSON
 * Schema): it advertises the strict schema's JSON Schema in tools/list, so clients
 * and models still see every rule, but accepts any arguments, so the tool itself
 * checks them with `checkToolArgs` and refuses bad ones with the bridge's own
 * `{error: 'bad_request', detail}` rather than the SDK's plain-text
 * "Input validation error".
 */
export interface AdvertisedSchema {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { readonly value: unknown };
    readonly jsonSchema: {
      readonly input: (options: { readonly target: string }) => Record<string, unknown>;
      readonly output: (options: { readonly target: string }) => Record<string, unknown>;
    };
  };
}

/** The registration form of `strict` (see AdvertisedSchema): its JSON Schema, no check of its own. */
export function advertised(strict: z.ZodType): AdvertisedSchema {
  const { jsonSchema } = strict['~standard'] as unknown as AdvertisedSchema['~standard'];
  return { '~standard': { version: 1, vendor: 'argybargy', validate: (value) => ({ value }), jsonSchema } };
}

/**
 * Checks a tool call's raw arguments (missing arguments count as `{}`) against the
 * tool's strict schema and returns them parsed. Throws InvalidInput naming the tool,
 * every argument that is wrong and what it allows, e.g. "Invalid arguments for claim:
 * seq: too small: expected number to be >=1."
 */
export function checkToolArgs<S extends z.ZodType>(tool: string, strict: S, raw: unknown): z.output<S> {
  const r = strict.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : 'arguments';
    return `${where}: ${i.message.charAt(0).toLowerCase()}${i.message.slice(1)}`;
  });
  const field = r.error.issues[0]?.path.map(String).join('.') || 'arguments';
  throw new InvalidInput(field, `Invalid arguments for ${tool}: ${issues.join('; ')}.`);
}
