import type { Invite, Message, State } from './types';

/** An answer the bridge refused; `status` 401 means the token is wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the bridge's admin API with the operator's token (same origin). */
export function makeApi(token: string) {
  async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: { 'x-admin-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok)
      throw new ApiError(res.status, (data as { detail?: string }).detail ?? `The bridge answered ${res.status}.`);
    return data as T;
  }
  return {
    state: (room: string | null, signal?: AbortSignal) =>
      call<State>('GET', room ? `/admin/state?room=${encodeURIComponent(room)}` : '/admin/state', undefined, signal),
    changes: (since: number, signal?: AbortSignal) =>
      call<{ version: number }>('GET', `/admin/changes?since=${since}&wait=25`, undefined, signal),
    say: (body: { room: string; text: string; to: string; sender: string; expects_reply?: string }) =>
      call<{ message: Message }>('POST', '/admin/say', body),
    invite: (body: { name: string; room: string; expires: string; capabilities: string }) =>
      call<Invite>('POST', '/admin/invite', body),
    revoke: (target: string) => call<{ revoked: number }>('POST', '/admin/revoke', { target }),
    createRoom: (room: string) => call<{ created: boolean }>('POST', '/admin/rooms', { room }),
    setRoom: (room: string, action: 'close' | 'reopen') =>
      call<unknown>('POST', `/admin/rooms/${encodeURIComponent(room)}/${action}`, { by: 'operator' }),
    rotate: () => call<{ admin_token: string }>('POST', '/admin/regenerate-token', {}),
  };
}

export type Api = ReturnType<typeof makeApi>;
