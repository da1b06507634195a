import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new agent code: 192 random bits, URL-safe. */
export function newCode(): string {
  return randomBytes(24).toString('base64url');
}

/** A new admin token: 192 random bits, URL-safe. */
export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The at-rest hash of a code (SHA-256, hex). Every code is looked up by it. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** The listing form of a hashed code: first six and last four characters. */
export function maskCode(code: string): string {
  return code.length > 12 ? `${code.slice(0, 6)}…${code.slice(-4)}` : '•••';
}

/** Compares two secrets in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** Reads the code from an Authorization header: `Bearer <code>` (any case) or the bare code. */
export function codeFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  let v = header.trim();
  const m = /^bearer(?:\s+|$)/i.exec(v);
  if (m) v = v.slice(m[0].length).trim();
  if (v === '' || /\s/.test(v)) return null;
  return v;
}
