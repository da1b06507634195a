import { type Static, type TSchema, Type } from 'typebox';

/** A schema that also admits null, as one JSON-Schema type list (fast to serialize). */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as { type?: string };
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [s.type, 'null'] });
}

/** The same schema with its own description (a shared shape explained where it is used). */
export function Described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description } as T;
}

/** Name-like fields: agent names, rooms, addressees (1–64 characters). */
export const Name = Type.String({ minLength: 1, maxLength: 64 });

/** The largest integer JSON numbers carry exactly (2^53 - 1). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The optional claim_lease of a question (POST /messages, /admin/say): whole seconds a
 * claim on it holds, 0 for good (domain/leases.ts MAX_CLAIM_LEASE is the top).
 */
export const ClaimLeaseField = Type.Optional(
  Nullable(
    Type.Integer({
      minimum: 0,
      maximum: 1_000_000_000,
      description:
        "optional, for a question: seconds a claim on it holds before it opens again unless renewed (0: until answered or released); default: the bridge's ARGYBARGY_CLAIM_LEASE_SECONDS",
    }),
  ),
);

/** Every error body: a machine code and a sentence; some errors add fields. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code, e.g. unauthorized, bad_request, room_closed.' }),
    detail: Type.String({ description: 'What went wrong and what to do next.' }),
  },
  { additionalProperties: true },
);
export type ErrorBody = Static<typeof ErrorBody>;
