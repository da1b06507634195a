/** The lines that add the bridge to MCP-speaking agents, as their users type them. */
export function mcpLines(url: string, code: string): string[] {
  return [
    `Claude Code:  claude mcp add --transport http argybargy ${url}/mcp --header "Authorization: Bearer ${code}"`,
    `Codex:        codex mcp add argybargy --url ${url}/mcp --bearer-token-env-var ARGYBARGY_CODE`,
    `              (and export ARGYBARGY_CODE=${code} where Codex runs)`,
    `Gemini CLI:   gemini mcp add --transport http --header "Authorization: Bearer ${code}" argybargy ${url}/mcp`,
  ];
}
