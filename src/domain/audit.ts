/**
 * The classes of audit events, each kept apart in the log so one class can never
 * push another out: what the operator did (`operator`), what agents did with valid
 * codes (`agent`), and failed sign-ins from anyone (`auth`). Retention keeps the
 * newest events of each class separately.
 */
export type AuditClass = 'operator' | 'agent' | 'auth';

/** The classes, in the order listings show them. */
export const AUDIT_CLASSES: readonly AuditClass[] = ['operator', 'agent', 'auth'];

const AGENT_ACTIONS = new Set([
  'connect',
  'claim',
  'claim_released',
  'claim_reopened',
  'webhook_set',
  'webhook_removed',
]);
const AUTH_ACTIONS = new Set(['admin_auth_failed', 'agent_auth_failed']);

/** The class of an audit action; anything not named is the operator's (the safest place to keep it). */
export function auditClass(action: string): AuditClass {
  if (AUTH_ACTIONS.has(action)) return 'auth';
  if (AGENT_ACTIONS.has(action)) return 'agent';
  return 'operator';
}

/** How many events of each class the log keeps; older ones are pruned. */
export const AUDIT_KEEP = 100_000;

/** After how many writes of a class its oldest events are pruned (a tenth of what is kept, at most 1,000). */
export function pruneEvery(keep: number): number {
  return Math.max(1, Math.min(1000, Math.floor(keep / 10)));
}
