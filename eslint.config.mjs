// @ts-check
/**
 * ESLint flat config: the recommended rules of ESLint and typescript-eslint, without type
 * information (type-aware linting would build a TypeScript program for every run; `npm run
 * typecheck` already does the type checking). Layering rules are dependency-cruiser's
 * (.dependency-cruiser.js), not ESLint's.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'reports/**', 'bench/peers/**', 'docs/generated/**', '.stryker-tmp/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a name kept on purpose: a field split off a rest object, an unused parameter.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The domain is given the time and ids as inputs, so replaying events never reads the clock.
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/domain/src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain does not read the clock: take the time as an input.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain does not read the clock: take the time as an input.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The domain makes no ids or chances of its own: take them as inputs.' },
      ],
    },
  },
  {
    // Tests take apart answers and messages of any shape; typing each one would say nothing.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
