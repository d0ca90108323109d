import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, ValidationError } from 'class-validator';
import { MESSAGE_CLASSES, validateInbound } from '@refund-desk/messaging';
import { createValidationPipe, RequestValidationError, VALIDATOR_OPTIONS } from '@refund-desk/platform';
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
