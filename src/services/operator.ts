import { checkReplyTo } from '../domain/answers.js';
import type { AuditClass } from '../domain/audit.js';
import { BROADCAST, defaultExpects, resolveExpects } from '../domain/expects.js';
import { parseExpires } from '../domain/expires.js';
import { checkClaimLease } from '../domain/leases.js';
import { checkAgentName, checkCapabilities, checkName, checkText } from '../domain/names.js';
import { buildRoster, peerRows } from '../domain/roster.js';
import { isoSeconds, secondsBetween } from '../domain/time.js';
import { operatorViews } from '../domain/waiting.js';
import { errors } from '../errors.js';
import { EVERYWHERE } from '../live/wakeups.js';
import { hashCode, maskCode, newCode, safeEqual } from '../secrets.js';
import type { Peer, PostAnswer, RoomStatus } from '../wire/messages.js';
import type {
  AdminToken,
  AuditAnswer,
  ChangesAnswer,
  CodeListing,
  InviteAnswer,
  RevokeAnswer,
  StateAnswer,
  StatsAnswer,
  WebhooksAnswer,
} from '../wire/operator.js';
import type { Access } from './access.js';
import { announce } from './announce.js';
import type { AuthGuard } from './auth-guard.js';
import type { ServiceContext } from './context.js';
import { codeListing, postAnswer, roomStatus, toRoomWire, waitingRow } from './views.js';
import type { WebhookNotifier } from './webhooks.js';

export interface InviteInput {
  name: string;
  room?: string | null;
  expires?: string | number | null;
  capabilities?: string | null;
}

export interface SayInput {
  text: string;
  to?: string | null;
  room?: string | null;
  sender?: string | null;
  expects_reply?: string | null;
  /** The seq of any message of the room (the operator sees them all) this one replies to. */
  reply_to?: number | null;
  /** Seconds a claim on this question holds (0: for good); absent: ARGYBARGY_CLAIM_LEASE_SECONDS. */
  claim_lease?: number | null;
}

/** The paste-ready paragraph that puts an agent in a room. */
function connectInstruction(base: string, code: string): string {
  return (
    `You can talk to other AI agents through a bridge at ${base} . GET ${base}/ for full instructions. ` +
    `Authenticate every request with the header 'Authorization: Bearer ${code}'. ` +
    'Introduce yourself with POST /messages, then poll GET /messages?wait=25&since=<cursor> to listen ' +
    '(pass back the cursor each answer gives you) and reply with POST /messages. ' +
    "Answer a message when its expects_reply is your name; when it is 'anyone', POST /messages/<seq>/claim first " +
    'and answer only if you win (200). Stay in the room and keep polling after your own work is done; ' +
    'leave only when a poll answers should_exit: true.'
  );
}

/** The operator-facing service: keys, rooms, posting as a human, and the views of /admin/*. */
export class Operator {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly webhooks: WebhookNotifier,
    private readonly guard: AuthGuard,
    private readonly access: Access,
  ) {}

  /**
   * Checks an admin token in constant time. Throws 401 (a failure is audited, as a
   * counted summary when there are many), or 429 (auth_throttled) when the address
   * has failed too often.
   */
  async authenticate(token: string | undefined, where: { ip: string; path: string }): Promise<void> {
    const current = await this.ctx.adminTokens.current();
    if (token && safeEqual(token, current)) return;
    throw await this.guard.failed('admin', where.ip, where.path, !token);
  }

  /** Mints a code for an agent, creating its room if needed. */
  async invite(input: InviteInput, base: string): Promise<InviteAnswer> {
    const { store, config } = this.ctx;
    const name = checkAgentName('name', input.name);
    const room = input.room == null ? 'default' : checkName('room', input.room);
    const capabilities = checkCapabilities(input.capabilities ?? '');
    const now = this.ctx.now();
    const expiresAt = parseExpires(input.expires, now);
    await this.access.beforeMint(room, name);
    const code = newCode();
    const saved = await store.createCode(
      {
        hash: hashCode(code),
        plain: config.hashCodes ? null : code,
        display: config.hashCodes ? maskCode(code) : code,
        name,
        room,
        capabilities,
        createdAt: now,
        expiresAt,
      },
      config.maxCodes,
    );
    if (!saved) throw errors.codeQuota(config.maxCodes);
    await store.ensureRoom(room, now);
    await this.ctx.live.wakeups.publish({ kind: 'change', room });
    await this.audit('invite', { room, detail: name });
    return {
      code,
      name,
      room,
      expires: expiresAt === null ? null : isoSeconds(expiresAt),
      capabilities,
      url: base,
      instruction: connectInstruction(base, code),
    };
  }

  /** Revokes every code with this name (in one room, when given), or the code itself; unknown targets revoke nothing. */
  async revoke(target: string, roomName?: string | null): Promise<RevokeAnswer> {
    const t = target.trim();
    if (t === '') throw errors.badRequest('target must be an agent name or a code.');
    const room = roomName == null || roomName.trim() === '' ? null : checkName('room', roomName);
    const gone = await this.ctx.store.revokeCodes(t, hashCode(t), room);
    await this.access.revoked(gone);
    // Name the revoked agents, never the target: it may be a code.
    const detail = gone.length ? gone.map((c) => `${c.name}@${c.room}`).join(', ') : 'nothing matched';
    await this.audit('revoke', { detail: `${detail} (${gone.length})` });
    return { revoked: gone.length };
  }

  /**
   * Posts as a human. Works on a closed room too (a parting note) and is not
   * rate-limited; any sender is accepted (the original did), and it becomes an
   * operator name of the room unless a code of the room holds that name (the store
   * checks inside the append; domain/waiting.ts isOperatorName).
   * A `to` or `expects_reply` naming no member is accepted, with `warnings` saying so.
   */
  async say(input: SayInput): Promise<PostAnswer> {
    const { store, config, live } = this.ctx;
    const text = checkText(input.text, config.maxText);
    const room = input.room == null || input.room.trim() === '' ? 'default' : checkName('room', input.room);
    const sender =
      input.sender == null || input.sender.trim() === '' ? 'operator' : checkAgentName('sender', input.sender);
    const to = input.to == null || input.to.trim() === '' ? BROADCAST : checkName('to', input.to);
    const expects = defaultExpects(to, input.expects_reply);
    if (expects !== defaultExpects(to, null)) checkName('expects_reply', expects);
    const replyTo = checkReplyTo(input.reply_to);
    const claimLease = checkClaimLease(input.claim_lease);
    const now = this.ctx.now();
    await live.presence.touch(room, sender, now);
    const res = await store.append({
      room,
      from: sender,
      to,
      text,
      expectsReply: expects,
      at: now,
      requireOpen: false,
      maxRooms: 0,
      maxPerRoom: config.maxMessagesPerRoom,
      byOperator: true,
      replyTo,
      seesAll: true,
      claimLease,
    });
    if (!res.ok && res.reason === 'bad_reply_to') throw errors.badReplyTo(replyTo ?? 0);
    if (!res.ok) throw errors.internal();
    this.ctx.telemetry.posted('operator');
    await announce(this.ctx, this.webhooks, res.message);
    await this.audit('say', { actor: sender, room, detail: `-> ${to}` });
    return postAnswer(this.ctx, res.message);
  }

  /** Closes or reopens a room; closing wakes every poll parked on it. */
  async setRoomStatus(roomName: string, closed: boolean, by?: string | null): Promise<RoomStatus> {
    const room = checkName('room', roomName);
    const who = by == null || by.trim() === '' ? 'operator' : checkName('by', by);
    const rec = await this.ctx.store.setRoomStatus(room, closed, who, this.ctx.now());
    await this.ctx.live.wakeups.publish({ kind: 'room', room });
    const status = roomStatus(room, rec);
    if (closed) {
      await this.audit('room_close', { actor: who, room, detail: status.closed_at ?? '' });
      this.webhooks.notifyClosed(status).catch(() => undefined);
    } else await this.audit('room_reopen', { actor: who, room });
    return status;
  }

  /** Creates an empty, open room (it then shows in /admin/state before anyone speaks). */
  async createRoom(roomName: string): Promise<{ created: boolean; room: RoomStatus }> {
    const room = checkName('room', roomName);
    const now = this.ctx.now();
    const created = await this.ctx.store.ensureRoom(room, now);
    if (created) {
      await this.ctx.live.wakeups.publish({ kind: 'change', room });
      await this.audit('room_create', { room });
    }
    return { created, room: roomStatus(room, await this.ctx.store.getRoom(room)) };
  }

  /**
   * The dashboard's long-poll: answers with the current change version at once if
   * it differs from `since`, else when the next event lands anywhere, or after `wait`
   * seconds; null when the client hung up.
   */
  async changes(since: number, waitSeconds: number, signal?: AbortSignal): Promise<ChangesAnswer | null> {
    const { wakeups } = this.ctx.live;
    const waiter = wakeups.register(EVERYWHERE, null);
    try {
      const now = await wakeups.version();
      if (now !== since || waitSeconds <= 0) return { version: now };
      const outcome = await waiter.wait(Math.min(waitSeconds, this.ctx.config.maxWait) * 1000, signal);
      if (outcome === 'aborted') return null;
      return { version: await wakeups.version() };
    } finally {
      waiter.cancel();
    }
  }

  /** Replaces the admin token; the old one stops working at once. */
  async regenerateToken(): Promise<AdminToken> {
    const token = await this.ctx.adminTokens.rotate();
    await this.audit('regenerate_admin_token', {});
    return { admin_token: token };
  }

  /** Every code, as listings show it (masked when codes are hashed at rest). */
  async codes(): Promise<CodeListing[]> {
    const now = this.ctx.now();
    return (await this.ctx.store.listCodes()).map((c) => codeListing(c, now));
  }

  /** The newest audit events, oldest first. */
  async auditLog(limit: number, cls?: AuditClass): Promise<AuditAnswer> {
    const rows = await this.ctx.store.recentAudit(limit, cls);
    return {
      events: rows.map((e) => ({
        ts: isoSeconds(e.at),
        action: e.action,
        actor: e.actor,
        room: e.room,
        detail: e.detail,
      })),
    };
  }

  /** Every registered webhook and how its deliveries fare on this node. */
  async webhookList(): Promise<WebhooksAnswer> {
    return { webhooks: await this.webhooks.list() };
  }

  /** Removes an agent's webhook; `removed` is false when it had none. */
  async removeWebhook(roomName: string, nameArg: string): Promise<{ removed: boolean }> {
    const room = checkName('room', roomName);
    const name = checkName('name', nameArg);
    const removed = await this.webhooks.remove(room, name);
    if (removed) await this.audit('webhook_deleted', { room, detail: name });
    return { removed };
  }

  /** Whether the backends answer (GET /ready): the store, and the live state (Redis in cluster mode). */
  async ready(): Promise<{ store: boolean; live: boolean }> {
    const [store, live] = await Promise.all([this.ctx.store.ping(), this.ctx.live.ping()]);
    return { store, live };
  }

  /** Counts for a quick look; `rooms` counts rooms with messages, as the original did. */
  async stats(): Promise<StatsAnswer> {
    const { store, live, config } = this.ctx;
    const now = this.ctx.now();
    const [presence, codes, messages, rooms] = await Promise.all([
      live.presence.list(),
      store.countCodes(),
      store.countMessages(),
      store.countRoomsWithMessages(),
    ]);
    return {
      version: this.ctx.version,
      uptime_seconds: Math.floor((now - this.ctx.startedAt) / 1000),
      online_peers: presence.filter((p) => secondsBetween(p.lastSeen, now) <= config.onlineWindow).length,
      codes,
      messages,
      rooms,
      parked_polls: live.wakeups.parkedCount(),
    };
  }

  /** The dashboard's snapshot (GET /admin/state): presence, roster, codes, rooms, the inbox and recent messages. */
  async state(roomFilter: string | null, base: string): Promise<StateAnswer> {
    const { store, live, config } = this.ctx;
    const now = this.ctx.now();
    // Read the version first: a change that lands while the rest is read makes the
    // next long-poll answer at once rather than being missed.
    const changeVersion = await live.wakeups.version();
    const [presence, codeRows, rooms, senders, questions, recent, webhooks] = await Promise.all([
      live.presence.list(),
      store.listCodes(),
      store.listRooms(),
      store.senders(),
      store.openRoomQuestions(),
      store.recent(60, roomFilter ?? undefined),
      this.webhooks.list(),
    ]);
    const liveCodes = codeRows.filter((c) => c.expiresAt === null || c.expiresAt > now);
    const members = new Map<string, Set<string>>();
    const lastSeq = new Map<string, Map<string, number>>();
    const operatorNames = new Map<string, Set<string>>();
    for (const s of senders) {
      entry(members, s.room, () => new Set<string>()).add(s.name);
      entry(lastSeq, s.room, () => new Map<string, number>()).set(s.name, s.lastSeq);
      if (s.operator) entry(operatorNames, s.room, () => new Set<string>()).add(s.name);
    }
    for (const c of liveCodes) entry(members, c.room, () => new Set<string>()).add(c.name);
    // Every code, expired ones too: a name that holds one is an agent, never an operator name.
    const holders = new Map<string, Set<string>>();
    for (const c of codeRows) entry(holders, c.room, () => new Set<string>()).add(c.name);

    const caps = new Map<string, string>();
    for (const c of codeRows) if (c.capabilities) caps.set(`${c.room}\u0000${c.name}`, c.capabilities);
    const peers: Record<string, Peer[]> = {};
    for (const room of [...new Set(presence.map((p) => p.room))].sort()) {
      const inRoom = presence.filter((p) => p.room === room);
      const roomCaps = new Map(inRoom.map((p) => [p.name, caps.get(`${room}\u0000${p.name}`) ?? '']));
      peers[room] = peerRows(inRoom, roomCaps, now, config.onlineWindow);
    }
    const roomStatuses: Record<string, RoomStatus> = {};
    for (const r of rooms) roomStatuses[r.name] = roomStatus(r.name, r);
    const views = operatorViews(
      {
        questions,
        lastSeqBySender: lastSeq,
        membersByRoom: members,
        operatorsByRoom: operatorNames,
        codeHoldersByRoom: holders,
        closedRooms: new Set(rooms.filter((r) => r.closed).map((r) => r.name)),
        nowMs: now,
      },
      50,
    );

    return {
      version: this.ctx.version,
      change_version: changeVersion,
      public_url: base,
      hash_codes: config.hashCodes,
      peers,
      roster: buildRoster({
        presence,
        codes: liveCodes,
        senders: senders.map((s) => ({ room: s.room, name: s.name, lastAt: s.lastAt })),
        nowMs: now,
        onlineWindowSeconds: config.onlineWindow,
      }),
      codes: codeRows.map((c) => codeListing(c, now)),
      room: roomFilter,
      rooms: rooms.map((r) => ({
        room: r.name,
        messages: r.messageCount,
        last_seq: r.lastSeq,
        last_ts: r.lastAt === null ? null : isoSeconds(r.lastAt),
        seconds_since_last: r.lastAt === null ? null : secondsBetween(r.lastAt, now),
        ...statusFields(roomStatuses[r.name]),
      })),
      room_status: roomStatuses,
      waiting: views.waiting.map(waitingRow),
      inbox: views.inbox.map(waitingRow),
      asked: views.asked.map(waitingRow),
      max_idle_seconds: config.maxIdleSeconds,
      messages: recent.map((m) => toRoomWire(m, resolveExpects(m.expects_reply, m.from, members.get(m.room) ?? []))),
      webhooks,
    };
  }

  private async audit(action: string, e: { actor?: string; room?: string; detail?: string }): Promise<void> {
    await this.ctx.store.audit({
      at: this.ctx.now(),
      action,
      actor: e.actor ?? 'operator',
      room: e.room ?? '',
      detail: e.detail ?? '',
    });
  }
}

/** The value at `key`, created with `make` when missing. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The lifecycle fields of a room summary. */
function statusFields(s: RoomStatus) {
  return { status: s.status, closed_at: s.closed_at, closed_by: s.closed_by };
}
