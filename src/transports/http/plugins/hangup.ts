import type { FastifyReply } from 'fastify';

/**
 * Runs a long wait for a request, aborting it the moment the client hangs up, so a
 * parked poll releases its place at once. A null result means the client is gone:
 * nothing is sent.
 */
export async function untilHangUp<T>(reply: FastifyReply, wait: (signal: AbortSignal) => Promise<T | null>) {
  const ac = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) ac.abort();
  };
  reply.raw.once('close', onClose);
  try {
    const result = await wait(ac.signal);
    return result === null ? reply.hijack() : result;
  } finally {
    reply.raw.off('close', onClose);
  }
}
