import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** Limits per caller (token subject) rather than per address, so one busy service does not starve others. */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = request.principal as { id?: string } | undefined;
    return principal?.id ? `sub:${principal.id}` : `ip:${String(request.ip)}`;
  }
}
