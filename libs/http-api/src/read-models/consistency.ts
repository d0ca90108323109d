import { ProjectionRunner, ReadModel } from '@refund-desk/read-models';
import type { FastifyReply } from 'fastify';

export const MIN_POSITION_WAIT_MS = 5_000;
export const MIN_POSITION_REACHED = 'X-Min-Position-Reached';

/** Documented once in components.headers (libs/http-api/src/http/openapi.ts). */
export const MIN_POSITION_HEADERS = { [MIN_POSITION_REACHED]: { $ref: `#/components/headers/${MIN_POSITION_REACHED}` } as never };

/**
 * Read-your-writes for tools: a bounded wait for the read model to reach the position a command
 * answered. The data is served either way; the header says whether it includes that write.
 */
export async function awaitMinPosition(
  runner: ProjectionRunner,
  readModel: ReadModel,
  minPosition: number | undefined,
  reply: FastifyReply,
): Promise<void> {
  if (minPosition === undefined) return;
  // Position 0 is before the first event: every read model has reached it, there is nothing to wait for.
  const reached = minPosition <= 0 || (await runner.waitForPosition(readModel.name, minPosition, MIN_POSITION_WAIT_MS));
  reply.header(MIN_POSITION_REACHED, String(reached));
}
