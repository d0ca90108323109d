import { Injectable, PipeTransform } from '@nestjs/common';
import { CaseNotFoundError } from '@refund-desk/domain';

/** A path id that cannot be a case id is simply an unknown case. */
@Injectable()
export class CaseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(value)) throw new CaseNotFoundError(value.slice(0, 100));
    return value;
  }
}
