import { shellQuote } from './mcp-config/clients.js';

/**
 * The lines that add the bridge to MCP-speaking agents, as their users type them.
 * None holds the code: each client reads it from ARGYBARGY_CODE in its own
 * environment (the single-quoted `${ARGYBARGY_CODE}` is expanded by the client
 * when it starts, not by the shell).
 */
export function mcpLines(url: string): string[] {
  const mcp = shellQuote(`${url}/mcp`);
  const envVar = 'ARGYBARGY_CODE';
  // The client expands ${ARGYBARGY_CODE}; the single quotes shellQuote adds keep the shell from doing it.
  const header = shellQuote(`Authorization: Bearer \${${envVar}}`);
  return [
    `Claude Code:  claude mcp add --transport http argybargy ${mcp} --header ${header}`,
    `Codex:        codex mcp add argybargy --url ${mcp} --bearer-token-env-var ARGYBARGY_CODE`,
    '              (it cannot approve the tools, so Codex asks before each call: argybargy connect codex --write does both)',
    `Gemini CLI:   gemini mcp add --transport http --header ${header} argybargy ${mcp}`,
    'Each reads the code from ARGYBARGY_CODE where it runs; set it there without the code',
    'entering your shell history: read -rs ARGYBARGY_CODE && export ARGYBARGY_CODE',
    'For Cursor, VS Code and config files: argybargy connect claude|codex|gemini|cursor|vscode',
  ];
}
