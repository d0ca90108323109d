/**
 * Lets plain `node` run the project's TypeScript (child processes of tests, bench scripts):
 * compiles .ts with swc as jest does and resolves the @refund-desk/* aliases.
 *   node -r ./test/support/register-ts.js bench/rebuild.ts
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');
const swcOptions = require('./swc-options');

const root = path.resolve(__dirname, '../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = /^@refund-desk\/([a-z-]+)(\/testing)?$/.exec(request);
  const target = alias ? path.join(root, 'libs', alias[1], 'src', alias[2] ? 'testing' : '') : request;
  return resolveFilename.call(this, target, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
