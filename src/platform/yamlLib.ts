import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');

let lib: YamlLib | undefined;

/**
 * The `yaml` library, loaded on first use. Importing it costs ~20 ms, a
 * sixth of a Git hook's run, and most commands never need it: the parsed
 * config comes from a cache (see config.ts). Loaded synchronously through
 * its CommonJS build so config loading can stay synchronous.
 */
export function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return lib;
}
