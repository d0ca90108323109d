import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Length } from 'class-validator';
import type { LegalRules } from '@refund-desk/domain';

/**
 * A revision of the legal rules. The rule set is a map of countries to nested rules, which the
 * domain checks field by field (assertValidLegalRules) and answers with the first bad field.
 */
export class ReviseLegalRulesDto {
  @ApiProperty({ description: 'The whole rule set (see LegalRules)', type: 'object', additionalProperties: true })
  @IsObject()
  rules!: LegalRules;

  @ApiProperty({ example: 'Portugal: Decreto-Lei 84/2021 extends the legal guarantee to three years' })
  @IsString() @Length(1, 2_000)
  changeNote!: string;
}
