import Ajv, { AnySchemaObject, ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformMetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

// class-transformer keeps its decorators' metadata here; it has no typed export of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformMetadata = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformMetadataStorage }).defaultMetadataStorage;

/** A DTO class: anything class-validator keeps rules for. */
export type DtoClass = abstract new (...args: never[]) => unknown;

/** Why a DTO cannot be compiled: it is then validated by class-validator alone, as before. */
export class NotCompilable extends Error {}

/** One class-validator rule, called exactly as class-validator calls it. */
type Check = (value: unknown, parent: unknown) => boolean;

/**
 * The rules of class-validator DTOs compiled once into ajv validators: what the HTTP pipe (and
 * the Kafka relay) check first, so the common valid body skips class-validator's executor, which
 * looks every rule up again for each object of each request.
 *
 * The DTO's decorators stay the only source of truth. Structure (objects, nesting, arrays, which
 * fields may be absent, which fields may appear) becomes JSON Schema; every rule is the very
 * validator function class-validator would call, with the same arguments. A body the compiled
 * validator refuses goes to class-validator, which words the errors; a test holds the two to the
 * same answer for every DTO.
 *
 * Options assumed: those of VALIDATOR_OPTIONS (whitelist, forbidNonWhitelisted, no groups, no
 * skipping of missing properties). What this does not model makes a DTO not compilable: groups,
 * `always`, ValidateIf, per-rule conditions, promises, and class-transformer decorators other
 * than the @Type of a nested DTO (they change the value before it is validated).
 */
export class CompiledValidators {
  private readonly ajv = new Ajv({ allErrors: false, strict: true, code: { optimize: true } });
  private readonly checks: Check[] = [];
  private readonly compiled = new Map<DtoClass, ValidateFunction | null>();
  private readonly reasons = new Map<DtoClass, string>();

  constructor() {
    this.ajv.addKeyword({
      keyword: 'x-class-validator',
      schemaType: 'number',
      errors: false,
      validate: (index: number, data: unknown, _parentSchema?: AnySchemaObject, cxt?: DataValidationCxt) =>
        this.checks[index](data, cxt?.parentData),
    });
  }

  /** The compiled validator of a DTO class, or null when it cannot be compiled (see `whyNot`). */
  validatorFor(type: DtoClass): ValidateFunction | null {
    let validator = this.compiled.get(type);
    if (validator === undefined) {
      try {
        // Without rules class-validator leaves the value alone (the pipe does not validate it at all).
        if (getMetadataStorage().getTargetValidationMetadatas(type, '', false, false, undefined).length === 0) {
          throw new NotCompilable(`${type.name} has no validation rules`);
        }
        const defs: Record<string, AnySchemaObject> = {};
        const root = this.objectSchema(type, defs, new Map());
        validator = this.ajv.compile({ ...root, $defs: defs });
      } catch (error) {
        if (!(error instanceof NotCompilable)) throw error;
        this.reasons.set(type, error.message);
        validator = null;
      }
      this.compiled.set(type, validator);
    }
    return validator;
  }

  /** Why `validatorFor(type)` gave null. */
  whyNot(type: DtoClass): string | undefined {
    return this.reasons.get(type);
  }

  /** A DTO class as an object schema; nested DTOs become $defs, named once each. */
  private objectSchema(type: DtoClass, defs: Record<string, AnySchemaObject>, names: Map<DtoClass, string>): AnySchemaObject {
    const storage = getMetadataStorage();
    const metadatas = storage.getTargetValidationMetadatas(type, '', false, false, undefined);
    // forbidUnknownValues: an object of a class without rules is refused whatever it holds.
    if (metadatas.length === 0) return { not: {} };
    // class-transformer builds the DTO with `new`: a field with a default is there even when the body lacks it.
    const defaults = Object.entries(Reflect.construct(type, []) as object).filter(([, value]) => value !== undefined);
    if (defaults.length > 0) throw new NotCompilable(`${type.name}.${defaults[0][0]}: a field with a default value`);
    const grouped = storage.groupByPropertyName(metadatas);
    const properties: Record<string, AnySchemaObject> = {};
    const required: string[] = [];
    for (const [property, rules] of Object.entries(grouped)) {
      const { schema, mayBeAbsent } = this.propertySchema(type, property, rules, defs, names);
      properties[property] = schema;
      if (!mayBeAbsent) required.push(property);
    }
    return { type: 'object', properties, required, additionalProperties: false };
  }

  private propertySchema(
    type: DtoClass,
    property: string,
    rules: ValidationMetadata[],
    defs: Record<string, AnySchemaObject>,
    names: Map<DtoClass, string>,
  ): { schema: AnySchemaObject; mayBeAbsent: boolean } {
    const where = `${type.name}.${property}`;
    for (const rule of rules) {
      if (rule.groups?.length || rule.always || rule.validateIf) throw new NotCompilable(`${where}: groups, always or a rule condition`);
    }
    if (transformMetadata.findTransformMetadatas(type, property, TransformationType.PLAIN_TO_CLASS).length > 0) {
      throw new NotCompilable(`${where}: @Transform changes the value before it is validated`);
    }
    if (transformMetadata.findExposeMetadata(type, property) || transformMetadata.findExcludeMetadata(type, property)) {
      throw new NotCompilable(`${where}: @Expose or @Exclude`);
    }
    const conditions = rules.filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION);
    if (conditions.some((rule) => rule.name !== 'isOptional')) throw new NotCompilable(`${where}: @ValidateIf`);
    if (rules.some((rule) => rule.type === ValidationTypes.PROMISE_VALIDATION)) throw new NotCompilable(`${where}: @ValidatePromise`);
    const optional = conditions.length > 0;

    const checks = rules
      .filter((rule) => rule.type === ValidationTypes.CUSTOM_VALIDATION || rule.type === ValidationTypes.IS_DEFINED)
      .map((rule) => this.check(type, property, rule));
    const nested = rules.filter((rule) => rule.type === ValidationTypes.NESTED_VALIDATION);
    const typeMetadata = transformMetadata.findTypeMetadata(type, property);
    if (typeMetadata && nested.length === 0) throw new NotCompilable(`${where}: @Type converts a value that is not a nested DTO`);
    if (nested.length > 0 && (!typeMetadata || typeMetadata.options?.discriminator)) {
      throw new NotCompilable(`${where}: a nested DTO needs a plain @Type (ValidateNestedObject)`);
    }

    const parts: AnySchemaObject[] = checks.map(({ index }) => ({ 'x-class-validator': index }));
    if (nested.length > 0) parts.push(this.nestedRule(typeMetadata!.typeFunction() as unknown as DtoClass, defs, names));
    const all: AnySchemaObject = parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { allOf: parts };
    // IsOptional: null and undefined skip every rule of the property.
    const schema = optional ? { anyOf: [{ type: 'null' }, all] } : all;
    // Absent is undefined: class-validator runs the rules on it, and nested validation skips it.
    const mayBeAbsent = optional || checks.every(({ acceptsUndefined }) => acceptsUndefined);
    return { schema, mayBeAbsent };
  }

  /**
   * class-validator's nested validation: an object is validated as the nested DTO, an array
   * element by element by this same rule, anything else refused.
   */
  private nestedRule(nestedType: DtoClass, defs: Record<string, AnySchemaObject>, names: Map<DtoClass, string>): AnySchemaObject {
    let name = names.get(nestedType);
    if (!name) {
      name = `${nestedType.name}_${names.size}`;
      names.set(nestedType, name);
      defs[name] = {};
      defs[name] = this.objectSchema(nestedType, defs, names);
      defs[`${name}_nested`] = { anyOf: [{ $ref: `#/$defs/${name}` }, { type: 'array', items: { $ref: `#/$defs/${name}_nested` } }] };
    }
    return { $ref: `#/$defs/${name}_nested` };
  }

  /** The rule as class-validator's executor applies it, including `each` over arrays. */
  private check(type: DtoClass, property: string, rule: ValidationMetadata): { index: number; acceptsUndefined: boolean } {
    const constraints = getMetadataStorage().getTargetValidatorConstraints(rule.constraintCls);
    if (constraints.some((constraint) => constraint.async)) throw new NotCompilable(`${type.name}.${property}: an async rule`);
    const validators = constraints.map((constraint) => constraint.instance);
    const args = (value: unknown, parent: unknown): ValidationArguments => ({
      targetName: type.name,
      property,
      object: parent as object,
      value,
      constraints: rule.constraints,
    });
    const one = (value: unknown, checked: unknown, parent: unknown): boolean => {
      for (const validator of validators) {
        const valid: unknown = validator.validate(checked, args(value, parent));
        // A promise would need the asynchronous path: refused here, class-validator decides.
        if (!valid || valid instanceof Promise) return false;
      }
      return true;
    };
    const check: Check = rule.each
      ? (value, parent) => (Array.isArray(value) ? value.every((item) => one(value, item, parent)) : one(value, value, parent))
      : (value, parent) => one(value, value, parent);
    this.checks.push(check);
    return { index: this.checks.length - 1, acceptsUndefined: check(undefined, {}) };
  }
}
