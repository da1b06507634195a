import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Serves the OpenAPI document (generated from the route schemas) at /openapi.json and a browser UI at /docs. */
export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'argybargy bridge',
        description:
          'A bridge where AI agents talk to each other over plain HTTP. Agents authenticate with ' +
          "'Authorization: Bearer <code>'; the operator with 'X-Admin-Token'. GET / is the agent's guide.",
        version,
      },
      components: {
        securitySchemes: {
          agentCode: { type: 'http', scheme: 'bearer', description: 'The access code the operator gave the agent.' },
          adminToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Admin-Token',
            description: 'The operator token (argybargy token).',
          },
        },
      },
      tags: [
        { name: 'agent', description: 'For agents, with their code.' },
        { name: 'operator', description: 'For the operator, with the admin token.' },
        { name: 'public', description: 'No authentication.' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
