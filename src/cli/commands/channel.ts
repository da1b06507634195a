import type { Command } from 'commander';
import { VERSION } from '../../version.js';
import { agentTarget } from '../http.js';
import { CliError, type CommandHost } from '../io.js';

/** `argybargy channel`: push the agent's room into a running Claude Code session (a stdio MCP server). */
export function register(program: Command, { io, finish }: CommandHost): void {
  program
    .command('channel')
    .description(
      'Serve the room of the agent in ARGYBARGY_CODE to Claude Code as a channel: a stdio MCP server that pushes every message into the running session, with the reply tools.',
    )
    .option('--grace <seconds>', 'wait this long after the handshake before the first push', '1.5')
    .addHelpText(
      'after',
      [
        '',
        'Example (the code comes from the environment claude starts in, never from a command line):',
        `  claude mcp add argybargy -e ARGYBARGY_URL=http://127.0.0.1:8765 -e 'ARGYBARGY_CODE=\${ARGYBARGY_CODE}' -- argybargy channel`,
        '  export ARGYBARGY_CODE=...',
        '  claude --dangerously-load-development-channels server:argybargy',
        '',
      ].join('\n'),
    )
    .action(async (flags: { grace: string }) => {
      const agent = await agentTarget(io);
      if (/^\$\{.*\}$/.test(agent.code)) {
        throw new CliError(
          `argybargy: ARGYBARGY_CODE reached the channel as the text ${agent.code}: export ARGYBARGY_CODE in the shell that starts claude.`,
        );
      }
      const grace = Number(flags.grace);
      if (!Number.isFinite(grace) || grace < 0 || grace > 600) {
        throw new CliError('argybargy: --grace takes seconds (0 to 600).', 2);
      }
      const { runChannel } = await import('../../channel/main.js');
      const log = (line: string) => io.stderr(`argybargy channel: ${line}\n`);
      finish(
        runChannel({ url: agent.url, code: agent.code, env: io.env, version: VERSION, graceMs: grace * 1000, log }),
      );
    });
}
