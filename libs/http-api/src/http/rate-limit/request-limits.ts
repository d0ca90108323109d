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
  /** How long a refusal is held before it is sent. */
  readonly refusalDelayMs: number;
  readonly concurrentPerAddress: number;
  readonly perAddress: number;
  readonly authFailures: number;
  readonly perSubject: number;
}

export const requestLimitsOf = (config: AppConfig): RequestLimits => ({
  refusalDelayMs: config.RATE_LIMIT_REFUSAL_DELAY_MS,
  concurrentPerAddress: config.RATE_LIMIT_CONCURRENT_PER_ADDRESS,
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

async function refuse(request: FastifyRequest, reply: FastifyReply, delayMs: number, retryAfterS: number, detail: string): Promise<FastifyReply> {
  // A client that ignores 429s and loops would otherwise get them as fast as the process can
  // answer, and those answers take turns with everyone else's requests; held for a moment, each
  // of its connections makes one request per delay. A held refusal costs a timer and holds no slot.
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
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
 * - a client address may have `RATE_LIMIT_CONCURRENT_PER_ADDRESS` requests in progress at once:
 *   a rate alone does not stop a few costly requests at a time from occupying the service (the
 *   embedded database answers one query at a time), a cap on what one client holds does;
 * - every request counts against its client address (`RATE_LIMIT_PER_ADDRESS_PER_MINUTE`; the
 *   address is the TCP peer unless TRUST_PROXY says which proxies may name the client);
 * - an address with more than `RATE_LIMIT_AUTH_FAILURES_PER_MINUTE` answers of 401 in the last
 *   minute is refused outright, so bad signatures cannot keep the CPU busy with verification;
 * - a token whose subject is over `RATE_LIMIT_PER_MINUTE` is refused before it is verified.
 *
 * Refusals are 429 Problem Details with Retry-After, sent after `RATE_LIMIT_REFUSAL_DELAY_MS`.
 */
export function installRequestLimits(fastify: FastifyInstance, store: SlidingWindowStore, limits: RequestLimits): void {
  if (limits.concurrentPerAddress === 0 && limits.perAddress === 0 && limits.authFailures === 0 && limits.perSubject === 0) return;
  const inFlight = new Map<string, number>();
  const delay = limits.refusalDelayMs;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const address = addressOf(request);
    if (limits.authFailures > 0) {
      const failures = store.peek(`auth-failures:${address}`, limits.authFailures, RATE_LIMIT_WINDOW_MS);
      if (!failures.allowed) return refuse(request, reply, delay, failures.retryAfterS, 'Too many failed authentications from this address');
    }
    if (limits.perAddress > 0) {
      const hit = store.hit(`address:${address}`, limits.perAddress, RATE_LIMIT_WINDOW_MS);
      if (!hit.allowed) return refuse(request, reply, delay, hit.retryAfterS, `Too many requests from this address (limit ${limits.perAddress} per minute)`);
    }
    if (limits.perSubject > 0) {
      const subject = claimedSubject(request.headers.authorization);
      if (subject !== undefined) {
        const state = store.peek(subjectKey(subject), limits.perSubject, RATE_LIMIT_WINDOW_MS);
        if (!state.allowed) return refuse(request, reply, delay, state.retryAfterS, `Too many requests for this caller (limit ${limits.perSubject} per minute)`);
      }
    }
    // Last, so that only a request that goes on to be served takes a slot.
    if (limits.concurrentPerAddress > 0) {
      const running = inFlight.get(address) ?? 0;
      if (running >= limits.concurrentPerAddress) {
        return refuse(request, reply, delay, 1, `Too many requests in progress from this address (at most ${limits.concurrentPerAddress} at once)`);
      }
      inFlight.set(address, running + 1);
      // 'close' comes once the response is sent or the client went away, whichever happens.
      reply.raw.once('close', () => {
        const left = (inFlight.get(address) ?? 1) - 1;
        if (left > 0) inFlight.set(address, left);
        else inFlight.delete(address);
      });
    }
    return undefined;
  });
  if (limits.authFailures > 0) {
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      if (reply.statusCode === 401) store.record(`auth-failures:${addressOf(request)}`, RATE_LIMIT_WINDOW_MS);
    });
  }
}
