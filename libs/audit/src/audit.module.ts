import { Module } from '@nestjs/common';
import { CaseHandlingModule } from '@refund-desk/case-handling';
import { AuditService } from './audit.service';

@Module({ imports: [CaseHandlingModule], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
