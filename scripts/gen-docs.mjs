// `npm run docs`: rewrite the generated blocks of the docs from the built code
// (dist/, so run `npx tsc -p tsconfig.json` first; the build never runs this).
// Each block sits between `<!-- gen:NAME:begin -->` and `<!-- gen:NAME:end -->`;
// everything outside the markers is written by hand and left alone.
//   docs/exit-codes.md  gen:error-codes  every ErrorCode → exit code (src/errors)
//   docs/config.md      gen:env-vars     every TROVE_* variable (src/util/envVars.ts)
//   docs/json.md        gen:commands     every command, its summary and options (src/cli/commands)
//   docs/api.md         the whole file   the library's API reference (scripts/gen-api.mjs, from src/index.ts)
// test/unit/docsDrift.test.ts fails when a block differs from what this writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { renderApi } from './gen-api.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const load = (rel) => import(pathToFileURL(path.join(ROOT, 'dist', rel)).href);

/** Markdown table cell: pipes escaped, one line. */
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (s) => `\`${s}\``;

async function errorCodesBlock() {
  const errors = await load('src/errors/index.js');
  const constantOf = new Map(Object.entries(errors).filter(([k, v]) => k.startsWith('EXIT_') && typeof v === 'number').map(([k, v]) => [v, k]));
  const rows = errors.ERROR_CODES.map((c) => {
    const exit = errors.exitCodeFor(c);
    return `| ${code(c)} | ${exit} | ${code(constantOf.get(exit))} |`;
  });
  return ['| error code | exit | constant |', '|---|---|---|', ...rows].join('\n');
}

async function envVarsBlock() {
  const { ENV_VARS } = await load('src/util/envVars.js');
  const rows = Object.entries(ENV_VARS).map(([name, v]) => `| ${code(name)} | ${cell(v.effect)} | ${v.readIn.split(/,\s*/).map(code).join(', ')} |`);
  return ['| variable | effect | read in |', '|---|---|---|', ...rows].join('\n');
}

/** Every command line trove has: top-level commands, their subcommands (`metrics show`) and `exp`'s actions. */
export async function commandRows() {
  const { COMMANDS } = await load('src/cli/commands/index.js');
  const { EXP_SUBCOMMANDS } = await load('src/cli/commands/expCommand.js');
  const flags = (cmd) => cmd.options.map((o) => o.flags);
  const args = (cmd) => cmd.registeredArguments.map((a) => { const n = `${a.name()}${a.variadic ? '...' : ''}`; return a.required ? `<${n}>` : `[${n}]`; }).join(' ');
  const rows = [];
  const walk = (specs, prefix) => {
    for (const spec of specs) {
      const name = prefix + spec.name;
      if (name === 'exp') {
        // One command whose first argument picks the action; each action declares its own options.
        for (const sub of EXP_SUBCOMMANDS) {
          // usage: "SYNOPSIS   what it does" (two or more spaces between)
          const [synopsis = '', ...rest] = sub.usage.split(/\s{2,}/);
          const subArgs = synopsis.replace(/^\S+/, '').replace(/\[-[^\]]*\]/g, '').replace(/--?\S+(\s+[A-Z][A-Z_]*)?/g, '').trim().replace(/\s+/g, ' ');
          rows.push({ name: `exp ${sub.name}`, args: subArgs, summary: rest.join(' ').trim() || spec.summary, options: sub.options ? flags(sub.options(new Command(sub.name))) : [] });
        }
        continue;
      }
      const cmd = spec.configure(new Command(spec.name));
      rows.push({ name, args: args(cmd), summary: spec.summary, options: flags(cmd) });
      if (spec.subcommands?.length) walk(spec.subcommands, `${name} `);
    }
  };
  walk(COMMANDS, '');
  return rows;
}

async function commandsBlock() {
  const rows = (await commandRows()).map((r) => `| ${code(`trove ${r.name}`)} | ${r.args ? code(cell(r.args)) : ''} | ${cell(r.summary)} | ${r.options.map((f) => code(cell(f))).join(', ')} |`);
  return ['| command | arguments | what it does | options |', '|---|---|---|---|', ...rows].join('\n');
}

export const BLOCKS = [
  { file: 'docs/exit-codes.md', name: 'error-codes', render: errorCodesBlock },
  { file: 'docs/config.md', name: 'env-vars', render: envVarsBlock },
  { file: 'docs/json.md', name: 'commands', render: commandsBlock },
];

/** `text` with block `name` replaced by `body`; throws when the markers are missing, so a block is never silently dropped. */
export function replaceBlock(text, name, body, file = 'the doc') {
  const begin = `<!-- gen:${name}:begin -->`;
  const end = `<!-- gen:${name}:end -->`;
  const b = text.indexOf(begin);
  const e = text.indexOf(end);
  if (b === -1 || e < b) throw new Error(`${file}: no ${begin} … ${end} block`);
  return `${text.slice(0, b)}${begin}\n${body}\n${text.slice(e)}`;
}

/** Every generated doc as `npm run docs` would write it now: path (relative to the root) → text. */
export async function renderDocs() {
  const out = new Map();
  for (const { file, name, render } of BLOCKS) {
    const text = out.get(file) ?? fs.readFileSync(path.join(ROOT, file), 'utf8');
    out.set(file, replaceBlock(text, name, await render(), file));
  }
  out.set('docs/api.md', renderApi());
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, text] of await renderDocs()) {
    const abs = path.join(ROOT, file);
    if (fs.existsSync(abs) && fs.readFileSync(abs, 'utf8') === text) continue;
    fs.writeFileSync(abs, text);
    console.log(`wrote ${file}`);
  }
}
