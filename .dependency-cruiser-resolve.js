/**
 * How dependency-cruiser resolves the test kits (@refund-desk/<lib>/testing): its tsconfig-paths
 * resolver does not expand a `*` in the middle of a tsconfig path (tsconfig.json maps the kits
 * with one), so the same mapping is given here as webpack-style aliases, one per library.
 */
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const libs = readdirSync(join(__dirname, 'libs'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
module.exports = {
  resolve: {
    alias: Object.fromEntries(libs.map(({ name }) => [`@refund-desk/${name}/testing$`, join(__dirname, 'libs', name, 'src', 'testing')])),
  },
};
