import type { FastifyReply } from 'fastify';

/**
 * Sends JSON written by hand. The hot paths (snapshot, client evaluation, OFREP) serialize from caches
 * instead of parsing their response through its schema; the schemas still document them, and the
 * end-to-end tests check the bodies against them.
 */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
