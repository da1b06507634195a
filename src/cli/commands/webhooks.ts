import type { Command } from 'commander';
import { AdminWebhookRemoved, type WebhookListing, WebhooksAnswer } from '../../wire/operator.js';
import { printJson, styles, table } from '../format.js';
import { adminCall, adminTarget } from '../http.js';
import { CliError, type CommandHost } from '../io.js';
import { configFrom, withLocalOperator } from '../local.js';
import { forTerminal } from '../terminal.js';

interface Flags {
  url?: string;
  json?: boolean;
  room?: string;
}

/** Runs `remote` against the bridge, or `local` on the data directory when no bridge answers (never with --url). */
async function bridgeOrLocal<T>(flags: Flags, remote: () => Promise<T>, local: () => Promise<T>): Promise<T> {
  try {
    return await remote();
  } catch (e) {
    if (flags.url || !(e instanceof CliError) || !/no bridge is answering/.test(e.message)) throw e;
    return local();
  }
}

/** `argybargy webhooks` (list) and `argybargy webhooks remove NAME --room ROOM`. */
export function register(program: Command, { io }: CommandHost): void {
  const webhooks = program
    .command('webhooks')
    .description("List agents' webhooks and how their deliveries fare; remove one with 'webhooks remove'.")
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .option('--room <room>', "only this room (with remove: the agent's room)")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  argybargy webhooks\n  argybargy webhooks remove carol --room build\n')
    .action(async (flags: Flags) => {
      const config = configFrom(io.env);
      const all: WebhookListing[] = await bridgeOrLocal(
        flags,
        async () =>
          (await adminCall(await adminTarget(io, config, flags.url), 'GET', '/admin/webhooks', WebhooksAnswer))
            .webhooks,
        async () => forTerminal(io, (await withLocalOperator(io, config, (op) => op.webhookList())).webhooks),
      );
      const list = flags.room ? all.filter((h) => h.room === flags.room) : all;
      if (flags.json) return printJson(io, list);
      if (list.length === 0) {
        io.stdout('No webhooks.\n');
        return;
      }
      const s = styles(io);
      io.stdout(
        table(
          ['ROOM', 'NAME', 'URL', 'STATUS', 'LAST DELIVERED'],
          list.map((h) => [
            h.room,
            s.bold(h.name),
            h.url,
            !h.active
              ? s.dim('code gone')
              : h.status === 'ok'
                ? s.green('ok')
                : s.red(`${h.status}${h.last_error ? `: ${h.last_error}` : ''}`),
            h.last_delivered ?? '-',
          ]),
        ),
      );
    });

  webhooks
    .command('remove')
    .description("Remove an agent's webhook (give its room with --room).")
    .argument('<name>', 'the agent')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      // --room and --url are the parent's options, wherever they are written.
      const flags = cmd.optsWithGlobals<Flags>();
      if (!flags.room)
        throw new CliError("argybargy: say whose webhook: 'argybargy webhooks remove NAME --room ROOM'.", 2);
      const room = flags.room;
      const config = configFrom(io.env);
      const query = `room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
      const { removed } = await bridgeOrLocal(
        flags,
        async () =>
          adminCall(
            await adminTarget(io, config, flags.url),
            'DELETE',
            `/admin/webhooks?${query}`,
            AdminWebhookRemoved,
          ),
        () => withLocalOperator(io, config, (op) => op.removeWebhook(room, name)),
      );
      if (!removed) throw new CliError(`argybargy: ${name} in room ${room} has no webhook.`);
      io.stdout(`Removed the webhook of ${name} in room ${room}.\n`);
    });
}
