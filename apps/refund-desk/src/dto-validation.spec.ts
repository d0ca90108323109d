import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, ValidationError } from 'class-validator';
import fc from 'fast-check';
import { MESSAGE_CLASSES, validateInbound } from '@refund-desk/messaging';
import { CompiledValidators, createValidationPipe, passesCompiledRules, RequestValidationError, VALIDATOR_OPTIONS } from '@refund-desk/platform';
import { RefundDeskModule } from './refund-desk.module';

/**
 * Walks every DTO the service validates (the bodies and queries of every route of every module,
 * and the Kafka inbound messages) so a new DTO cannot forget the rules every input gets.
 */

type Ctor = new () => object;
interface ValidationMeta {
  type: string;
  name?: string;
  propertyName: string;
  each?: boolean;
}

const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Ctor, ValidationMeta[]> };
const ownAndInherited = (target: Ctor): ValidationMeta[] => {
  const metas: ValidationMeta[] = [];
  for (let t: unknown = target; typeof t === 'function' && t !== Function.prototype; t = Object.getPrototypeOf(t)) {
    metas.push(...(storage.validationMetadatas.get(t as Ctor) ?? []));
  }
  return metas;
};

/** Every controller reachable from the all-in-one module (which imports every other). */
function controllersOf(module: unknown, seen = new Set<unknown>()): Ctor[] {
  if (!module || seen.has(module)) return [];
  seen.add(module);
  const dynamic = module as { module?: unknown; imports?: unknown[]; controllers?: Ctor[] };
  const type = typeof module === 'function' ? module : dynamic.module;
  const imports = [...((Reflect.getMetadata('imports', type as object) as unknown[]) ?? []), ...(dynamic.imports ?? [])];
  const own = [...((Reflect.getMetadata('controllers', type as object) as Ctor[]) ?? []), ...(dynamic.controllers ?? [])];
  return [...own, ...imports.flatMap((m) => controllersOf(m, seen))];
}

/** The classes of every @Body() and @Query() parameter of every route. */
function routeDtos(): Array<{ route: string; dto: unknown }> {
  const out: Array<{ route: string; dto: unknown }> = [];
  for (const controller of new Set(controllersOf(RefundDeskModule))) {
    for (const method of Object.getOwnPropertyNames(controller.prototype)) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
      const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
      for (const [key, arg] of Object.entries(args)) {
        const kind = Number(key.split(':')[0]);
        if ((kind === RouteParamtypes.BODY || kind === RouteParamtypes.QUERY) && arg.data === undefined) {
          out.push({ route: `${controller.name}.${method}`, dto: types[arg.index] });
        }
      }
    }
  }
  return out;
}

/** Each DTO and every DTO nested in it. */
function withNested(roots: Ctor[]): Ctor[] {
  const all = new Set<Ctor>();
  const visit = (dto: Ctor): void => {
    if (all.has(dto)) return;
    all.add(dto);
    for (const meta of ownAndInherited(dto).filter((m) => m.type === 'nestedValidation')) {
      const nested = Reflect.getMetadata('design:type', dto.prototype, meta.propertyName) as Ctor;
      const typeMeta = (
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- class-transformer has no typed export of its metadata storage
        require('class-transformer/cjs/storage') as { defaultMetadataStorage: { findTypeMetadata(t: Ctor, p: string): { typeFunction(): Ctor } | undefined } }
      ).defaultMetadataStorage.findTypeMetadata(dto, meta.propertyName);
      visit(typeMeta ? typeMeta.typeFunction() : nested);
    }
  };
  roots.forEach(visit);
  return [...all];
}

const routes = routeDtos();
const roots = [...routes.map((r) => r.dto as Ctor), ...Object.values(MESSAGE_CLASSES)];
const dtos = withNested(roots);
const nestedProperties = dtos.flatMap((dto) =>
  ownAndInherited(dto)
    .filter((m) => m.type === 'nestedValidation')
    .map((m) => ({ dto, property: m.propertyName, each: m.each === true })),
);

describe('every DTO', () => {
  it('finds the routes and the nested DTOs (the walk itself works)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(dtos.map((d) => d.name)).toEqual(expect.arrayContaining(['LogRequestDto', 'ProductDto', 'AuthorityLimitsDto', 'EvidenceDto', 'ExportQueryDto']));
    expect(nestedProperties.length).toBeGreaterThanOrEqual(12);
  });

  it('every @Body() and @Query() of every route is a class with validation rules (never an interface or a primitive)', () => {
    const unvalidated = routes.filter((r) => typeof r.dto !== 'function' || ownAndInherited(r.dto as Ctor).length === 0);
    expect(unvalidated.map((r) => `${r.route}: ${String((r.dto as { name?: string })?.name ?? r.dto)}`)).toEqual([]);
  });

  it('every nested DTO is declared with ValidateNestedObject (an object check beside ValidateNested)', () => {
    const missing = nestedProperties.filter(
      ({ dto, property, each }) => !ownAndInherited(dto).some((m) => m.name === 'isObject' && m.propertyName === property && (m.each === true) === each),
    );
    expect(missing.map(({ dto, property }) => `${dto.name}.${property}`)).toEqual([]);
  });

  it.each(nestedProperties.map(({ dto, property, each }) => [`${dto.name}.${property}`, dto, property, each] as const))(
    '%s refuses an array, a string and a number where an object is expected',
    async (_name, dto, property, each) => {
      const junk: unknown[] = each ? [[[]], ['x'], [1], [null]] : [[], [{}], 'x', 1];
      for (const value of junk) {
        const errors = await validate(plainToInstance(dto, { [property]: value }), VALIDATOR_OPTIONS);
        const mine = errors.find((e: ValidationError) => e.property === property);
        expect({ value, constraints: mine?.constraints ?? mine?.children }).toEqual({ value, constraints: expect.anything() });
      }
    },
  );

  it.each(roots.map((dto) => [dto.name, dto] as const))('%s refuses NUL and unpaired surrogates in any string, naming the field', async (_name, dto) => {
    const pipe = createValidationPipe();
    for (const bad of ['a\u0000b', '\ud800', 'x\udc00y']) {
      const error = await pipe.transform({ someField: { nested: [bad] } }, { type: 'body', metatype: dto }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'someField.nested.0', message: expect.stringContaining('NUL') })]),
      );
    }
  });

  it.each(Object.keys(MESSAGE_CLASSES))('the Kafka relay refuses unstorable text and deep nesting in %s like the HTTP pipe', async (topic) => {
    const text = await validateInbound(topic as keyof typeof MESSAGE_CLASSES, { caseId: 'c1', comment: 'a\u0000', nested: { '\ud800': 1 } });
    expect(text.valid).toBe(false);
    const fields = text.valid ? [] : text.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['comment', 'nested.\\ud800']));
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const nested = await validateInbound(topic as keyof typeof MESSAGE_CLASSES, { caseId: 'c1', deep });
    expect(nested.valid ? [] : nested.errors.map((e) => e.message)).toEqual([expect.stringContaining('deeper than')]);
  });
});

/** Values that break one rule or another: every field of every generated body meets some of them. */
const ODD_VALUES: unknown[] = [
  null, '', ' ', 'x', 'X'.repeat(101), 'y'.repeat(4_001), 0, -1, 1, 2.5, 1e21, 2 ** 53, true, false, [], {}, ['x'], [{}], [null], [[]],
  '2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', 'IT', 'XX', 'it', 'EUR', 'eur', 'XTS', 'refund', 'https://example.com/a.pdf',
  'ftp://example.com', 'a@b.co', 'not-an-email', '+39 055 0000', 'cus_81', 'ok_code', 'Upper', '١٢٣', '😀😀😀', 'agent', 'manager',
];
const ABSENT = Symbol('absent');

type Ctor2 = new () => object;
const typeOf = (dto: Ctor2, property: string): Ctor2 | undefined =>
  (
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- class-transformer has no typed export of its metadata storage
    require('class-transformer/cjs/storage') as { defaultMetadataStorage: { findTypeMetadata(t: Ctor2, p: string): { typeFunction(): Ctor2 } | undefined } }
  ).defaultMetadataStorage.findTypeMetadata(dto, property)?.typeFunction();

/**
 * Bodies for a DTO: mostly the documented examples and enum values (so many are valid), now and
 * then an odd value, a missing field or an unknown one (so many are not).
 */
function bodies(dto: Ctor2, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(dto, '', false, false));
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [property, rules] of Object.entries(grouped)) {
    const doc = Reflect.getMetadata('swagger/apiModelProperties', dto.prototype, property) as { example?: unknown; enum?: unknown } | undefined;
    const good: fc.Arbitrary<unknown>[] = [];
    const nested = rules.some((rule) => rule.type === 'nestedValidation') ? typeOf(dto, property) : undefined;
    if (nested && depth < 4) {
      const one = bodies(nested, depth + 1);
      good.push(rules.some((rule) => rule.type === 'nestedValidation' && rule.each) ? fc.array(one, { maxLength: 3 }) : one);
    }
    if (doc?.example !== undefined) good.push(fc.constant(doc.example));
    const values = Array.isArray(doc?.enum) ? doc.enum : doc?.enum && typeof doc.enum === 'object' ? Object.values(doc.enum) : [];
    if (values.length > 0) good.push(fc.constantFrom(...values));
    const odd = fc.constantFrom(...ODD_VALUES);
    model[property] = fc.oneof(
      { arbitrary: good.length > 0 ? fc.oneof(...good) : odd, weight: 60 },
      { arbitrary: odd, weight: 1 },
      { arbitrary: fc.constant(ABSENT), weight: 1 },
    );
  }
  return fc.tuple(fc.record(model), fc.oneof({ arbitrary: fc.constant(null), weight: 30 }, { arbitrary: fc.constantFrom('unexpected', 'constructorName', 'Customer'), weight: 1 }), fc.constantFrom(...ODD_VALUES)).map(([record, extra, value]) => {
    const body = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== ABSENT));
    if (extra !== null) body[extra] = value;
    return body;
  });
}

const classValidatorAccepts = async (dto: Ctor2, body: unknown): Promise<boolean> =>
  (await validate(plainToInstance(dto, structuredClone(body)), VALIDATOR_OPTIONS)).length === 0;

describe('compiled validators (the fast path of the validation pipe and the Kafka relay)', () => {
  const compiler = new CompiledValidators();
  const compilable = roots.filter((dto) => compiler.validatorFor(dto) !== null);

  it('compiles the DTOs of the busy routes, and says why it leaves any other to class-validator', () => {
    expect(compilable.map((dto) => dto.name)).toEqual(expect.arrayContaining(['LogRequestDto', 'AddNoteDto', 'DecisionDto', 'EscalationDto']));
    const left = roots.filter((dto) => compiler.validatorFor(dto) === null).map((dto) => `${dto.name}: ${compiler.whyNot(dto)}`);
    // Query DTOs convert text to numbers and booleans first; three commands hold a rule only under a condition.
    for (const reason of left) expect(reason).toMatch(/@Transform|@Type converts|@ValidateIf|a field with a default/);
  });

  it.each(compilable.map((dto) => [dto.name, dto] as const))('%s: accepts exactly the bodies class-validator accepts', async (_name, dto) => {
    const validate = compiler.validatorFor(dto)!;
    let accepted = 0;
    const runs = 400;
    await fc.assert(
      fc.asyncProperty(bodies(dto), async (body) => {
        const expected = await classValidatorAccepts(dto, body);
        if (expected) accepted += 1;
        expect({ body, accepts: validate(structuredClone(body)) }).toEqual({ body, accepts: expected });
      }),
      { numRuns: runs, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
    // Both answers must be exercised: a generator that only made bad bodies would prove little.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(runs);
  });

  it('the pipe answers a body the compiled rules accept with the same DTO as class-validator does, and words refusals as before', async () => {
    const pipe = createValidationPipe();
    const dto = roots.find((d) => d.name === 'LogRequestDto')!;
    const sample = fc.sample(bodies(dto), { numRuns: 300, seed: 7 });
    let fast = 0;
    for (const body of sample) {
      const viaPipe = await pipe.transform(structuredClone(body), { type: 'body', metatype: dto }).catch((e: unknown) => e);
      if (passesCompiledRules(dto, structuredClone(body))) {
        fast += 1;
        expect(viaPipe).toEqual(plainToInstance(dto, structuredClone(body)));
        expect(viaPipe).toBeInstanceOf(dto);
      } else {
        const errors = await validate(plainToInstance(dto, structuredClone(body)), VALIDATOR_OPTIONS);
        if (errors.length > 0) expect(viaPipe).toBeInstanceOf(RequestValidationError);
      }
    }
    expect(fast).toBeGreaterThan(30);
  });
});
