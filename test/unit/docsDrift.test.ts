// Docs that cannot drift from the code (issue 17, point 6): the error codes,
// TROVE_* variables, commands and options the docs name must be the ones the
// code has, and the other way round; the generated tables must be what
// `npm run docs` (scripts/gen-docs.mjs) would write now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import * as errors from '../../src/errors/index.js';
import { ENV_VARS } from '../../src/util/envVars.js';
import { COMMANDS } from '../../src/cli/commands/index.js';

// dist/test/unit → the repository's root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const CODES: ReadonlySet<string> = new Set(errors.ERROR_CODES);
const EXIT_CONSTANTS = new Map(Object.entries(errors).filter(([k, v]) => k.startsWith('EXIT_') && typeof v === 'number') as [string, number][]);
const exitFor = (code: string): number => errors.exitCodeFor(code as errors.ErrorCode);

interface GenDocs {
  renderDocs(): Promise<Map<string, string>>;
  commandRows(): Promise<{ name: string; args: string; summary: string; options: string[] }[]>;
}
const genDocs = (): Promise<GenDocs> => import(new URL('../../../scripts/gen-docs.mjs', import.meta.url).href) as Promise<GenDocs>;

/** The rows of the Markdown table that follows `heading`: first cell → the row's cells. */
function tableAfter(text: string, heading: string): string[][] {
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) return [];
  const rows: string[][] = [];
  let started = false;
  for (const line of text.slice(at + heading.length + 2).split('\n')) {
    if (line.startsWith('|')) {
      started = true;
      if (/^\|[-| ]+\|$/.test(line)) continue;
      rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
    } else if (started || line.startsWith('#')) break;
  }
  return rows.slice(1); // without the header
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

// ---------------------------------------------------------------------------------------------
// Error codes

/** Problems with the error and exit codes that `text` (a doc) names; `full` also asks for every code. */
export function errorCodeProblems(file: string, text: string, full: boolean): string[] {
  const problems: string[] = [];
  // "`CODE` (exit N)" and "`A` / `B` (exit N)" anywhere, and (in exit-codes.md) rows "| `CODE` | N |"
  for (const m of text.matchAll(/((?:`[A-Z][A-Z_]+`(?: \/ |, | or ))*`[A-Z][A-Z_]+`) \(exit (\d+)/g)) {
    for (const c of m[1]!.matchAll(/`([A-Z][A-Z_]+)`/g)) {
      if (!CODES.has(c[1]!)) problems.push(`${file}: names error code ${c[1]} (exit ${m[2]}), which the code does not have`);
      else if (exitFor(c[1]!) !== Number(m[2])) problems.push(`${file}: says ${c[1]} exits ${m[2]}, the code says ${exitFor(c[1]!)}`);
    }
  }
  for (const m of full ? text.matchAll(/^\| `([A-Z][A-Z_]+)` \| (\d+) \|/gm) : []) {
    if (!CODES.has(m[1]!)) problems.push(`${file}: a table row names error code ${m[1]}, which the code does not have`);
    else if (exitFor(m[1]!) !== Number(m[2])) problems.push(`${file}: a table row says ${m[1]} exits ${m[2]}, the code says ${exitFor(m[1]!)}`);
  }
  for (const m of text.matchAll(/"code":\s*"([A-Z][A-Z_]+)"/g)) {
    if (!CODES.has(m[1]!)) problems.push(`${file}: a JSON example has error code ${m[1]}, which the code does not have`);
  }
  if (!full) return problems;
  // exit-codes.md: the exit table names every constant with its number, the "raised" table every code once
  const exits = tableAfter(text, '## Exit codes');
  const named = new Set<string>();
  for (const [exit, constant] of exits) {
    const name = unquote(constant ?? '');
    named.add(name);
    if (!EXIT_CONSTANTS.has(name)) problems.push(`${file}: names exit constant ${name}, which the code does not have`);
    else if (EXIT_CONSTANTS.get(name) !== Number(exit)) problems.push(`${file}: says ${name} is ${exit}, the code says ${EXIT_CONSTANTS.get(name)}`);
  }
  for (const name of EXIT_CONSTANTS.keys()) if (!named.has(name)) problems.push(`${file}: the exit-code table lacks ${name}`);
  const raised = tableAfter(text, '## When each error code is raised').map((r) => unquote(r[0] ?? ''));
  for (const c of raised) if (!CODES.has(c)) problems.push(`${file}: says when ${c} is raised, but the code has no such error code`);
  for (const c of CODES) if (!raised.includes(c)) problems.push(`${file}: does not say when ${c} is raised`);
  for (const c of new Set(raised.filter((c, i) => raised.indexOf(c) !== i))) problems.push(`${file}: lists ${c} twice`);
  return problems;
}

test('docs/exit-codes.md names every error code and exit constant the code has, with the right exit, and no other', () => {
  assert.deepEqual(errorCodeProblems('docs/exit-codes.md', read('docs/exit-codes.md'), true), []);
});

test('no doc names an error code the code does not have, or gives one the wrong exit', () => {
  assert.deepEqual(DOCS.flatMap((f) => errorCodeProblems(f, read(f), false)), []);
});

test('the error-code check catches a code that is not there, a wrong exit and a missing code', () => {
  const text = read('docs/exit-codes.md');
  const doctored = text
    .replace('| `AUTH` | a remote refused', '| `AUTHENTICATION` | a remote refused')
    .replace(/\| `LOCKED` \| 11 \|/, '| `LOCKED` | 1 |')
    .concat('\nA missing pointer is `POINTER_GONE` (exit 1).\n');
  const problems = errorCodeProblems('exit-codes.md', doctored, true).join('\n');
  assert.match(problems, /AUTHENTICATION/);
  assert.match(problems, /does not say when AUTH is raised/);
  assert.match(problems, /LOCKED exits 1, the code says 11/);
  assert.match(problems, /POINTER_GONE/);
});

// ---------------------------------------------------------------------------------------------
// TROVE_* environment variables

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every TROVE_* name in src/ that is not a constant's identifier (TROVE_DIR, …): the variables the source reads or names. */
function sourceEnvVars(): Map<string, string> {
  const texts = sourceFiles(join(ROOT, 'src')).map((p) => [p.slice(ROOT.length), readFileSync(p, 'utf8')] as const);
  const constants = new Set(texts.flatMap(([, t]) => [...t.matchAll(/\bconst (TROVE_[A-Z0-9_]+)\b/g)].map((m) => m[1]!)));
  const found = new Map<string, string>();
  for (const [file, t] of texts) {
    for (const m of t.matchAll(/\bTROVE_[A-Z0-9_]+\b/g)) if (!constants.has(m[0]) && !found.has(m[0])) found.set(m[0], file);
  }
  return found;
}

/** The TROVE_* variables the Python client reads (python/trove/*.py): docs may name them too. */
function pythonEnvVars(): Set<string> {
  const dir = join(ROOT, 'python', 'trove');
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.py')).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/environ(?:\.get\(|\[)\s*["'](TROVE_[A-Z0-9_]+)["']/g)].map((m) => m[1]!)));
}

/** The TROVE_* variables the repository's own scripts read (scripts/*.mjs, e.g. TROVE_TEST_PROVISION): docs may name them too. */
function scriptEnvVars(): Set<string> {
  const dir = join(ROOT, 'scripts');
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.mjs')).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/process\.env\.(TROVE_[A-Z0-9_]+)/g)].map((m) => m[1]!)));
}

export function envVarProblems(file: string, text: string, known: ReadonlySet<string>, required: readonly string[]): string[] {
  const named = new Set([...text.matchAll(/\bTROVE_[A-Z0-9_]+\b/g)].map((m) => m[0]));
  return [
    ...[...named].filter((v) => !known.has(v)).map((v) => `${file}: names ${v}, which nothing reads`),
    ...required.filter((v) => !named.has(v)).map((v) => `${file}: does not name ${v}, which trove reads`),
  ];
}

test('every TROVE_* variable the source names is registered in src/util/envVars.ts, and every registered one is read', () => {
  const registered = new Set(Object.keys(ENV_VARS));
  const used = sourceEnvVars();
  assert.deepEqual([...used].filter(([v]) => !registered.has(v)).map(([v, f]) => `${f}: ${v} is not in src/util/envVars.ts`), []);
  const read = new Set(sourceFiles(join(ROOT, 'src')).filter((p) => !p.endsWith('envVars.ts')).flatMap((p) => [...readFileSync(p, 'utf8').matchAll(/\bTROVE_[A-Z0-9_]+\b/g)].map((m) => m[0])));
  assert.deepEqual([...registered].filter((v) => !read.has(v)).map((v) => `${v} is registered but no source file names it`), []);
});

test('docs/config.md names every TROVE_* variable, and no doc names one that nothing reads', () => {
  const known = new Set([...Object.keys(ENV_VARS), ...pythonEnvVars(), ...scriptEnvVars()]);
  assert.deepEqual(envVarProblems('docs/config.md', read('docs/config.md'), known, Object.keys(ENV_VARS)), []);
  assert.deepEqual(DOCS.flatMap((f) => envVarProblems(f, read(f), known, [])), []);
});

test('the variable check catches a variable nothing reads and one the doc leaves out', () => {
  const text = read('docs/config.md').replace(/TROVE_GIT\b/g, 'GIT_BINARY').concat('\nSet `TROVE_TURBO=1` to go faster.\n');
  const problems = envVarProblems('config.md', text, new Set(Object.keys(ENV_VARS)), Object.keys(ENV_VARS)).join('\n');
  assert.match(problems, /names TROVE_TURBO, which nothing reads/);
  assert.match(problems, /does not name TROVE_GIT/);
});

// ---------------------------------------------------------------------------------------------
// Config keys

/** The keys of each config section, as src/platform/config.ts validates them (`bad('KEY', …)` in validateCore/Hooks/Registry). */
function configKeys(): Set<string> {
  const source = read('src/platform/config.ts');
  const keys = new Set(['version', 'params.files', 'metrics.files']);
  for (const [fn, section] of [['validateCore', 'core'], ['validateGc', 'gc'], ['validateHooks', 'hooks'], ['validateRegistry', 'registry']] as const) {
    const at = source.indexOf(`\nfunction ${fn}(`);
    assert.ok(at >= 0, `config.ts has no ${fn}`);
    const body = source.slice(at, source.indexOf('\n}\n', at));
    for (const m of body.matchAll(/\bbad\('([a-z_]+)'/g)) keys.add(`${section}.${m[1]}`);
  }
  return keys;
}

export function configKeyProblems(configDoc: string, keys: ReadonlySet<string>): string[] {
  const table = tableAfter(configDoc, '## Keys').flatMap((r) => [...(r[0] ?? '').matchAll(/`([a-z]+(?:\.[a-z_]+)?)`/g)].map((m) => m[1]!));
  const named = new Set([...configDoc.matchAll(/`((?:core|hooks|registry)\.[a-z_]+)`/g)].map((m) => m[1]!));
  return [
    ...[...keys].filter((k) => !table.includes(k)).map((k) => `docs/config.md: the key table lacks ${k}`),
    ...table.filter((k) => !keys.has(k)).map((k) => `docs/config.md: the key table has ${k}, which the code does not read`),
    ...[...named].filter((k) => !keys.has(k)).map((k) => `docs/config.md names ${k}, which the code does not read`),
  ];
}

test('docs/config.md lists every config key the code reads, and no doc names a core, hooks or registry key it does not', () => {
  const keys = configKeys();
  const elsewhere = DOCS.flatMap((f) => [...read(f).matchAll(/`((?:core|hooks|registry)\.[a-z_]+)[`:= ]/g)].map((m) => [f, m[1]!] as const));
  assert.deepEqual([
    ...configKeyProblems(read('docs/config.md'), keys),
    ...elsewhere.filter(([, k]) => !keys.has(k)).map(([f, k]) => `${f} names ${k}, which the code does not read`),
  ], []);
});

test('the config-key check catches a key the table lacks and one the code does not read', () => {
  const doctored = read('docs/config.md').replace(/^\| `core\.remote` \|/m, '| `core.remotes` |');
  const problems = configKeyProblems(doctored, configKeys()).join('\n');
  assert.match(problems, /the key table lacks core\.remote$/m);
  assert.match(problems, /the key table has core\.remotes/);
});

// ---------------------------------------------------------------------------------------------
// Commands and options

/** Command lines in a doc: lines of sh/console/bare code blocks (split at && || ; | $( ) and inline code spans. */
function commandLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*(```|~~~)(\w*)/.exec(line);
    if (m) {
      fence = fence === null ? m[2]! : null;
      continue;
    }
    if (fence !== null) {
      if (['', 'sh', 'console', 'bash'].includes(fence)) out.push(...line.split(/&&|\|\||;|\$\(|\|/));
      continue;
    }
    for (const s of line.matchAll(/`([^`]+)`/g)) out.push(...s[1]!.split(/\\\||&&|;/));
  }
  return out;
}

/** Words after `trove` that are not commands but are named on purpose. */
const NOT_COMMANDS: Record<string, string> = {
  config: 'config.md says there is no `trove config` command',
  experiment: "formats.md: `trove experiment <id>` is an experiment commit's subject",
};
const GLOBAL_OPTIONS = new Set(['--json', '-q', '--quiet', '-C', '--cwd', '--help', '-h', '--version', '-V']);

/** Every flag a list of Commander `flags` strings accepts (`--no-x` also as `--x`). */
const flagSet = (flags: readonly string[]): Set<string> =>
  new Set(flags.flatMap((f) => f.split(/[ ,]+/).filter((x) => x.startsWith('-')).flatMap((x) => (x.startsWith('--no-') ? [x, `--${x.slice(5)}`] : [x]))));

export function commandProblems(file: string, text: string, options: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  for (const line of commandLines(text)) {
    const m = /^\s*(?:\$ )?(?:[A-Z_]+=\S* )*trove\b(.*)$/.exec(line);
    if (!m) continue;
    const words = m[1]!.replace(/\s#.*/, '').trim().split(/\s+/).filter(Boolean);
    const positional = words.filter((w) => !w.startsWith('-') && !/^[<[(]/.test(w));
    const first = positional[0];
    // `trove` alone, `trove --version`, or a placeholder (`trove <command>`)
    if (!first || !/^[a-z][\w-]*$/.test(first)) continue;
    if (!options.has(first)) {
      if (!(first in NOT_COMMANDS)) problems.push(`${file}: names \`trove ${first}\`, which is not a command: ${line.trim()}`);
      continue;
    }
    const name = positional[1] && options.has(`${first} ${positional[1]}`) ? `${first} ${positional[1]}` : first;
    for (const word of words) {
      if (!word.startsWith('-') || word === '-' || word === '--') continue;
      for (const alt of word.split('/')) {
        const flag = alt.split('=')[0]!.replace(/[.,:)]+$/, '');
        if (!flag.startsWith('-') || GLOBAL_OPTIONS.has(flag) || options.get(name)!.has(flag)) continue;
        problems.push(`${file}: \`trove ${name}\` has no option ${flag}: ${line.trim()}`);
      }
    }
  }
  return problems;
}

async function commandOptions(): Promise<Map<string, Set<string>>> {
  const rows = await (await genDocs()).commandRows();
  const options = new Map(rows.map((r) => [r.name, flagSet(r.options)]));
  // `trove exp ACTION` is one Commander command: it accepts every action's options.
  const exp = COMMANDS.find((c) => c.name === 'exp')!;
  options.set('exp', flagSet(exp.configure(new Command('exp')).options.map((o) => o.flags)));
  return options;
}

test('every command and option the docs show exists', async () => {
  const options = await commandOptions();
  assert.deepEqual(DOCS.flatMap((f) => commandProblems(f, read(f), options)), []);
});

test('docs/json.md lists every command and gives each a section', async () => {
  const rows = await (await genDocs()).commandRows();
  const text = read('docs/json.md');
  const listed = tableAfter(text, '## Commands').length ? [] : ['docs/json.md has no ## Commands table'];
  const block = text.slice(text.indexOf('<!-- gen:commands:begin -->'), text.indexOf('<!-- gen:commands:end -->'));
  const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
  assert.deepEqual([
    ...listed,
    ...rows.filter((r) => !block.includes(`| \`trove ${r.name}\` |`)).map((r) => `docs/json.md: the command table lacks trove ${r.name}`),
    ...rows.filter((r) => !headings.some((h) => h === r.name || h.startsWith(`${r.name} `))).map((r) => `docs/json.md: no "## ${r.name}" section for its result`),
  ], []);
  // and every command in the table is one the code has
  const names = new Set(rows.map((r) => r.name));
  const tabled = [...block.matchAll(/^\| `trove ([^`]+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual(tabled.filter((n) => !names.has(n)), []);
});

test('the command check catches a command and an option that do not exist', async () => {
  const options = await commandOptions();
  const problems = commandProblems('x.md', 'Run `trove frobnicate data` or\n\n```sh\ntrove push --turbo -r storage\n```\n', options).join('\n');
  assert.match(problems, /trove frobnicate/);
  assert.match(problems, /trove push` has no option --turbo/);
  assert.doesNotMatch(problems, /no option -r\b/);
});

// ---------------------------------------------------------------------------------------------
// Layers

test('docs/architecture.md gives every folder of src/ the rank scripts/check-layers.mjs gives it', async () => {
  const { RANKS } = (await import(new URL('../../../scripts/check-layers.mjs', import.meta.url).href)) as { RANKS: Record<string, number> };
  const documented = new Map<string, number>();
  for (const [rank, folders] of tableAfter(read('docs/architecture.md'), '## Layers and the import rule')) {
    for (const m of (folders ?? '').matchAll(/`([a-z]+)\/`/g)) documented.set(m[1]!, Number(rank));
  }
  const folders = readdirSync(join(ROOT, 'src')).filter((f) => statSync(join(ROOT, 'src', f)).isDirectory());
  assert.deepEqual([
    ...folders.filter((f) => !documented.has(f)).map((f) => `src/${f}/ is not in the layer table`),
    ...[...documented].filter(([f, r]) => RANKS[f] !== r).map(([f, r]) => `the table ranks ${f}/ ${r}, check-layers.mjs ${RANKS[f]}`),
  ], []);
});

// ---------------------------------------------------------------------------------------------
// API reference

test('docs/api.md has a section for every value src/index.ts exports, and none for anything else it exports at run time', async () => {
  const lib = (await import('../../src/index.js')) as Record<string, unknown>;
  const text = read('docs/api.md');
  const valuesPart = text.slice(text.indexOf('\n## Functions and values\n'), text.indexOf('\n## Types\n'));
  const headings = new Set([...valuesPart.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!));
  assert.deepEqual([
    ...Object.keys(lib).filter((k) => !headings.has(k)).map((k) => `docs/api.md lacks ${k}`),
    ...[...headings].filter((h) => !(h in lib)).map((h) => `docs/api.md documents ${h}, which src/index.ts does not export`),
  ], []);
});

// ---------------------------------------------------------------------------------------------
// Generated blocks

test('the generated blocks and docs/api.md are what npm run docs would write now', async () => {
  const rendered = await (await genDocs()).renderDocs();
  assert.ok(rendered.size >= 4);
  for (const [file, text] of rendered) assert.equal(read(file), text, `${file} is stale: run npm run docs`);
});
