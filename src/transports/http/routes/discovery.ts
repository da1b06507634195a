import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../../../errors.js';

/** Where MCP clients look for OAuth before asking their user for a token (RFC 9728, RFC 8414, OpenID, RFC 7591). */
const OAUTH_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
];

/**
 * The OAuth discovery paths MCP clients probe, answered with a JSON 404 that tells
 * the user what to do instead: this bridge takes the agent's access code as a
 * bearer header, so a client that finds no authorization server asks for a token
 * (or uses the header it was configured with) rather than failing on `/register`.
 */
export function discoveryRoutes() {
  return async (app: FastifyInstance) => {
    const answer = (_req: unknown, reply: FastifyReply) => {
      const e = errors.notFound(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${ARGYBARGY_CODE} is for the MCP client to expand
        "This bridge does not use OAuth: pass your access code as a header, 'Authorization: Bearer <code>' (for example, with the code in the environment variable ARGYBARGY_CODE: claude mcp add --transport http argybargy <URL>/mcp --header 'Authorization: Bearer ${ARGYBARGY_CODE}', or run: argybargy connect claude). Ask the operator for a code.",
      );
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
