import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { HttpProblem } from '@refund-desk/platform';

/** The key a subject's requests are counted under, shared by every route (and the pre-check in the request hook). */
export const subjectKey = (subject: string): string => `sub:${subject}`;

/**
 * One budget per token subject across every route (the library keys by controller and handler by
 * default, which gave each route its own budget). Runs after AuthGuard, so only verified subjects
 * are counted; requests without a subject (public routes) are limited per address before routing.
 */
@Injectable()
export class SubjectThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<{ principal?: { id?: string } }>().principal?.id;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return subjectKey((request.principal as { id: string }).id);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new HttpProblem(429, `Too many requests for this caller (limit ${detail.limit} per minute); retry after ${detail.timeToBlockExpire} s`, {
      headers: { 'Retry-After': String(detail.timeToBlockExpire) },
    });
  }
}
