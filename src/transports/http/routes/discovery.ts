import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, unexpandedVariable } from '../../../errors.js';
import { codeFromAuthorization } from '../../../secrets.js';

/** Where MCP clients look for OAuth before asking their user for a token (RFC 9728, RFC 8414, OpenID, RFC 7591). */
const OAUTH_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
];

/** What to tell a client that came here without a code: how to pass one. */
const NO_CODE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${ARGYBARGY_CODE} is for the MCP client to expand
  "This bridge does not use OAuth: pass your access code as a header, 'Authorization: Bearer <code>' (for example, with the code in the environment variable ARGYBARGY_CODE: claude mcp add --transport http argybargy <URL>/mcp --header 'Authorization: Bearer ${ARGYBARGY_CODE}', or run: argybargy connect claude). Ask the operator for a code.";

/** What to tell a client that came here with a code: the header was right, the code is what to look at. */
const WITH_CODE =
  "This bridge does not use OAuth: the access code in an 'Authorization: Bearer <code>' header, which this request carries, is all it takes. If the bridge refused the code you sent (401), check it, or ask the operator for a new one (argybargy invite).";

/**
 * The 404 detail for a discovery probe. A probe without a code is told how to pass
 * one; a probe that carries one (as mcp-remote's do after a 401) is told that OAuth
 * is not the way and the code is what to check, and, when the code is a variable its
 * client never expanded, so. The code is never checked (nor counted) here, nor repeated.
 */
export function discoveryDetail(authorization: string | undefined): string {
  const code = codeFromAuthorization(authorization);
  if (!code) return NO_CODE;
  const unexpanded = unexpandedVariable(code);
  return unexpanded ? `${WITH_CODE} ${unexpanded}` : WITH_CODE;
}

/**
 * The OAuth discovery paths MCP clients probe, answered with a JSON 404 that tells
 * the user what to do instead: this bridge takes the agent's access code as a
 * bearer header, so a client that finds no authorization server asks for a token
 * (or uses the header it was configured with) rather than failing on `/register`.
 */
export function discoveryRoutes() {
  return async (app: FastifyInstance) => {
    const answer = (req: FastifyRequest, reply: FastifyReply) => {
      const e = errors.notFound(discoveryDetail(req.headers.authorization));
      return reply.code(e.status).send(e.body());
    };
    for (const path of OAUTH_PATHS) {
      app.get(path, { schema: { hide: true } }, answer);
      app.get(`${path}/*`, { schema: { hide: true } }, answer);
    }
    for (const path of ['/register', '/token']) app.post(path, { schema: { hide: true } }, answer);
    app.get('/authorize', { schema: { hide: true } }, answer);
  };
}
