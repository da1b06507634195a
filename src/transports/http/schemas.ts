import { ErrorBody } from '../../wire/common.js';

/** The error responses of a route, each the flat `{error, detail}` body, for its schema. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;
