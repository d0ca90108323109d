import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance, Type } from 'class-transformer';
import { IsObject, ValidateNested, ValidationOptions } from 'class-validator';
import { CompiledValidators, DtoClass } from './compiled-validation';
import { FieldError, RequestValidationError } from './problem';
import { checkUntrustedInput, MAX_INPUT_DEPTH } from './untrusted-input';

/** Flattens class-validator's tree into one entry per bad field, named by its dotted path. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(error.property) ? message.replace(error.property, field) : `${field}: ${message}`,
    }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

export const TOO_DEEP_MESSAGE = `the input nests deeper than ${MAX_INPUT_DEPTH} levels`;

/**
 * The checks every input gets before and beside its DTO: excessive nesting refused before any
 * validator recurses into it, and text PostgreSQL cannot store refused in every string. Shared by
 * the HTTP validation pipe and the Kafka relay. Throws RequestValidationError for too deep input;
 * returns the text errors to report with the DTO's own.
 */
export function precheckInput(value: unknown, root = ''): FieldError[] {
  const check = checkUntrustedInput(value, root);
  if (check.tooDeep) throw new RequestValidationError([{ field: root, message: TOO_DEEP_MESSAGE }]);
  return check.textErrors;
}

/**
 * A nested DTO (or, with `each`, an array of them): class-validator's ValidateNested alone takes an
 * array where one object is expected and validates its (zero) elements, so `"product": []` passed.
 * Every nested DTO uses this instead; a spec walks every DTO to keep it so.
 */
export function ValidateNestedObject(type: () => new () => object, options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    IsObject({
      ...options,
      message: options.each ? `${String(property)} must contain only objects` : `${String(property)} must be an object`,
    })(target, property as string);
    ValidateNested(options)(target, property as string);
    Type(type)(target, property as string);
  };
}

/** The pipe's options, also used by the Kafka relay so both channels judge input alike. */
export const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
} as const;

/** One set for the process: each DTO is compiled once, on its first request. */
const compiledValidators = new CompiledValidators();

/** Parsed JSON: an object whose prototype is Object.prototype (of any realm) or none. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Whether the DTO's compiled rules accept a plain object as it stands (the text precheck aside).
 * True means class-validator would accept it too; false means only "ask class-validator".
 */
export function passesCompiledRules(type: DtoClass, value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const validate = compiledValidators.validatorFor(type);
  return validate !== null && validate(value);
}

/**
 * Nest's ValidationPipe behind the input precheck. Unknown fields are refused rather than dropped,
 * so a typo never silently loses data.
 *
 * A body first meets its DTO's compiled validator (CompiledValidators): when that accepts it, the
 * DTO is built as the pipe builds it and class-validator's executor, the costliest step of a
 * command, is skipped. Anything it refuses goes the whole way, so every error is still worded by
 * class-validator.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({
      ...VALIDATOR_OPTIONS,
      transform: true,
      exceptionFactory: (errors) => new RequestValidationError(fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const checked = metadata.type === 'body' || metadata.type === 'query';
    const textErrors = checked ? precheckInput(value) : [];
    if (metadata.type === 'body' && metadata.metatype && textErrors.length === 0 && isPlainObject(value)) {
      this.stripProtoKeys(value);
      if (passesCompiledRules(metadata.metatype, value)) return plainToInstance(metadata.metatype, value, this.transformOptions);
    }
    try {
      const result = await super.transform(value, metadata);
      if (textErrors.length > 0) throw new RequestValidationError(textErrors);
      return result;
    } catch (error) {
      if (textErrors.length > 0 && error instanceof RequestValidationError) {
        const named = new Set(textErrors.map((e) => e.field));
        throw new RequestValidationError([...textErrors, ...error.errors.filter((e) => !named.has(e.field))]);
      }
      throw error;
    }
  }
}

export const createValidationPipe = (): ValidationPipe => new InputValidationPipe();
