import { shellQuote } from './mcp-config/clients.js';

/**
 * The lines that push a room into a running Claude Code session with `argybargy
 * channel` (what `invite` and `room` print). The code stays off every command line:
 * the server entry refers to ${ARGYBARGY_CODE}, which Claude Code fills in from the
 * environment it starts in.
 */
export function channelLines(url: string): string[] {
  return [
    '',
    'Or, instead of the Claude Code line above, push the room into a running Claude Code session',
    '(channels, a research preview; claude.ai login):',
    `  claude mcp add argybargy -e ARGYBARGY_URL=${shellQuote(url)} -e 'ARGYBARGY_CODE=\${ARGYBARGY_CODE}' -- argybargy channel`,
    '  read -rs ARGYBARGY_CODE && export ARGYBARGY_CODE    # paste the code, in the shell that starts claude',
    '  claude --dangerously-load-development-channels server:argybargy',
    '  (not with -p, nor while channels are off for the account; argybargy must be on PATH there)',
  ];
}
