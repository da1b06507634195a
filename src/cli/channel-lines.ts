/**
 * The lines that push a room into a running Claude Code session with `argybargy
 * channel` (what `invite` and `room` print). The code stays off every command line:
 * the server entry refers to ${ARGYBARGY_CODE}, which Claude Code fills in from the
 * environment it starts in.
 */
export function channelLines(url: string, code: string): string[] {
  return [
    '',
    'Or push the room into a running Claude Code session (channels, a research preview; claude.ai login):',
    `  claude mcp add argybargy -e ARGYBARGY_URL=${url} -e 'ARGYBARGY_CODE=\${ARGYBARGY_CODE}' -- argybargy channel`,
    `  export ARGYBARGY_CODE=${code}    # in the shell that starts claude`,
    '  claude --dangerously-load-development-channels server:argybargy',
    '  (not with -p, nor while channels are off for the account; argybargy must be on PATH there)',
  ];
}
