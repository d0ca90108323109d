import { Module } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig, problem } from '@refund-desk/platform';
import { sendProblem } from '../problem.filter';
import { SlidingWindowStore } from './sliding-window.store';
import { subjectKey } from './subject-throttler.guard';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** The one store behind every limit: the request hook and the subject guard share it. */
@Module({ providers: [{ provide: SlidingWindowStore, useFactory: () => new SlidingWindowStore() }], exports: [SlidingWindowStore] })
export class RateLimitStoreModule {}

export interface RequestLimits {
  readonly perAddress: number;
  readonly authFailures: number;
  readonly perSubject: number;
}

export const requestLimitsOf = (config: AppConfig): RequestLimits => ({
  perAddress: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
  authFailures: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
  perSubject: config.RATE_LIMIT_PER_MINUTE,
});

/** IPv6 clients are counted per /64, since one host usually holds a whole /64 and could rotate through it. */
const addressOf = (request: FastifyRequest): string => normalizeIp(request.ip);

/**
 * The `sub` a bearer token claims, read without verifying it. Only used to refuse early a request
 * for a subject that is already over its limit: verified requests alone are counted, so a forged
 * token cannot spend someone else's budget, and a forged one for a blocked subject would be
 * refused anyway.
 */
export function claimedSubject(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!value || value.length > 8_192 || !/^bearer /i.test(value)) return undefined;
  const payload = value.slice(7).trim().split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}

function refuse(request: FastifyRequest, reply: FastifyReply, retryAfterS: number, detail: string): FastifyReply {
  sendProblem(reply, {
    problem: problem(429, `${detail}; retry after ${retryAfterS} s`, { instance: request.url.split('?')[0] }),
    headers: { 'Retry-After': String(retryAfterS) },
  });
  return reply;
}

/**
 * Limits that run first, in Fastify's onRequest hook, before routing, body parsing and token
 * verification, so a flood of requests (valid or not) costs a map lookup each once over its limit:
 *
 * - every request counts against its client address (`RATE_LIMIT_PER_ADDRESS_PER_MINUTE`; the
 *   address is the TCP peer unless TRUST_PROXY says which proxies may name the client);
 * - an address with more than `RATE_LIMIT_AUTH_FAILURES_PER_MINUTE` answers of 401 in the last
 *   minute is refused outright, so bad signatures cannot keep the CPU busy with verification;
 * - a token whose subject is over `RATE_LIMIT_PER_MINUTE` is refused before it is verified.
 */
export function installRequestLimits(fastify: FastifyInstance, store: SlidingWindowStore, limits: RequestLimits): void {
  if (limits.perAddress === 0 && limits.authFailures === 0 && limits.perSubject === 0) return;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const address = addressOf(request);
    if (limits.authFailures > 0) {
      const failures = store.peek(`auth-failures:${address}`, limits.authFailures, RATE_LIMIT_WINDOW_MS);
      if (!failures.allowed) return refuse(request, reply, failures.retryAfterS, 'Too many failed authentications from this address');
    }
    if (limits.perAddress > 0) {
      const hit = store.hit(`address:${address}`, limits.perAddress, RATE_LIMIT_WINDOW_MS);
      if (!hit.allowed) return refuse(request, reply, hit.retryAfterS, `Too many requests from this address (limit ${limits.perAddress} per minute)`);
    }
    if (limits.perSubject > 0) {
      const subject = claimedSubject(request.headers.authorization);
      if (subject !== undefined) {
        const state = store.peek(subjectKey(subject), limits.perSubject, RATE_LIMIT_WINDOW_MS);
        if (!state.allowed) return refuse(request, reply, state.retryAfterS, `Too many requests for this caller (limit ${limits.perSubject} per minute)`);
      }
    }
    return undefined;
  });
  if (limits.authFailures > 0) {
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      if (reply.statusCode === 401) store.record(`auth-failures:${addressOf(request)}`, RATE_LIMIT_WINDOW_MS);
    });
  }
}
