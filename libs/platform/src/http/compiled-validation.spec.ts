import { plainToInstance, Transform } from 'class-transformer';
import { Allow, IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Min, validate, ValidateIf } from 'class-validator';
import { CompiledValidators } from './compiled-validation';
import { ValidateNestedObject, VALIDATOR_OPTIONS } from './validation';

class Item {
  @IsString() @Length(1, 5)
  name!: string;
}

class Order {
  @IsString() @Length(1, 10, { each: true })
  id!: string;

  @IsOptional() @IsInt() @Min(1)
  quantity?: number;

  @IsDefined() @ValidateNestedObject(() => Item)
  item!: Item;

  @IsOptional() @ValidateNestedObject(() => Item, { each: true })
  extras?: Item[];

  @IsOptional() @IsIn(['a', 'b'], { each: true })
  tags?: string[];

  @Allow()
  anything?: unknown;
}

class WithCondition {
  @ValidateIf((o: WithCondition) => o.kind === 'x') @IsString()
  kind!: string;
}

class WithTransform {
  @Transform(({ value }) => Number(value)) @IsInt()
  n!: number;
}

class WithDefault {
  @IsOptional() @IsInt()
  limit = 50;
}

class WithoutRules {
  name?: string;
}

const classValidatorAccepts = async (type: new () => object, body: object): Promise<boolean> =>
  (await validate(plainToInstance(type, body), VALIDATOR_OPTIONS)).length === 0;

describe('CompiledValidators', () => {
  const compiled = new CompiledValidators();
  const order = compiled.validatorFor(Order)!;

  it.each([
    ['a complete order', { id: 'o1', quantity: 2, item: { name: 'k' }, extras: [{ name: 'x' }], tags: ['a', 'b'], anything: { deep: [1] } }, true],
    ['optional fields left out', { id: 'o1', item: { name: 'k' } }, true],
    ['optional fields null (IsOptional skips null)', { id: 'o1', quantity: null, item: { name: 'k' }, extras: null, tags: null }, true],
    ['a required field null', { id: 'o1', item: null }, false],
    ['a required field missing', { id: 'o1' }, false],
    ['an unknown field', { id: 'o1', item: { name: 'k' }, extra: 1 }, false],
    ['an unknown field in a nested object', { id: 'o1', item: { name: 'k', extra: 1 } }, false],
    ['a nested rule broken', { id: 'o1', item: { name: 'too long' } }, false],
    ['an array where one object is expected', { id: 'o1', item: [{ name: 'k' }] }, false],
    ['a string where objects are expected', { id: 'o1', item: { name: 'k' }, extras: ['x'] }, false],
    ['each rule on an array element', { id: 'o1', item: { name: 'k' }, tags: ['a', 'c'] }, false],
    ['each rule on a single value (class-validator checks the value itself)', { id: 'o1', item: { name: 'k' }, tags: 'a' }, true],
    ['an array where a rule without each expects one string', { id: ['a', 'b'], item: { name: 'k' } }, false],
    ['an integer rule on a fraction', { id: 'o1', quantity: 1.5, item: { name: 'k' } }, false],
  ])('%s: the same answer as class-validator', async (_what, body, expected) => {
    expect(await classValidatorAccepts(Order, structuredClone(body))).toBe(expected);
    expect(order(structuredClone(body))).toBe(expected);
  });

  it('leaves to class-validator what it does not model, saying why', () => {
    expect(compiled.validatorFor(WithCondition)).toBeNull();
    expect(compiled.whyNot(WithCondition)).toContain('@ValidateIf');
    expect(compiled.validatorFor(WithTransform)).toBeNull();
    expect(compiled.whyNot(WithTransform)).toContain('@Transform');
    expect(compiled.validatorFor(WithDefault)).toBeNull();
    expect(compiled.whyNot(WithDefault)).toContain('a field with a default value');
    expect(compiled.validatorFor(WithoutRules)).toBeNull();
    expect(compiled.whyNot(WithoutRules)).toContain('no validation rules');
  });

  it('compiles each class once', () => {
    expect(compiled.validatorFor(Order)).toBe(order);
  });
});

