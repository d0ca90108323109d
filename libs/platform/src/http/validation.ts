import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, RequestValidationError } from './problem';

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

/** Unknown fields are refused rather than dropped, so a typo never silently loses data. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(fieldErrors(errors)),
  });
