// docs/api.md: the library's API reference, generated from src/index.ts and
// the doc comments of what it exports (TypeScript's compiler API, from the
// `typescript` dev dependency). Written by `npm run docs` (scripts/gen-docs.mjs);
// test/unit/docsDrift.test.ts fails when docs/api.md differs from this.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'src', 'index.ts');

const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** The first paragraph of a doc comment, on one line. */
const firstParagraph = (text) => (text.trim().split(/\n\s*\n/)[0] ?? '').replace(/\s*\n\s*/g, ' ').trim();

/** `@example` bodies, without the common indentation. */
function examples(tags) {
  return tags.filter((t) => t.name === 'example').map((t) => {
    const lines = ts.displayPartsToString(t.text).replace(/^\n+|\s+$/g, '').split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)[0].length));
    return lines.map((l) => l.slice(indent)).join('\n');
  });
}

function kindOf(decl) {
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isVariableDeclaration(decl)) return 'const';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  return ts.SyntaxKind[decl.kind];
}

/** The declaration as it reads in the source, without bodies or its own doc comment. */
function signature(checker, printer, name, symbol, decl) {
  const sf = decl.getSourceFile();
  const kind = kindOf(decl);
  if (kind === 'function') {
    const sigs = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(symbol, decl), ts.SignatureKind.Call);
    return sigs.map((s) => `function ${name}${checker.signatureToString(s, decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature).replace(/\) => /, '): ')}`).join('\n');
  }
  if (kind === 'const') {
    // a declared type reads better than its expansion (`const ls: typeof listArtifacts`)
    if (decl.type) return `const ${name}: ${decl.type.getText(sf)}`;
    return `const ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), decl, ts.TypeFormatFlags.NoTruncation)}`;
  }
  if (kind === 'class') {
    const members = decl.members
      .filter((m) => !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !(m.name && ts.isPrivateIdentifier(m.name)))
      .map((m) => {
        if (ts.isConstructorDeclaration(m) || ts.isMethodDeclaration(m)) {
          const s = checker.getSignatureFromDeclaration(m);
          const mname = ts.isConstructorDeclaration(m) ? 'constructor' : m.name.getText(sf);
          const text = checker.signatureToString(s, m, ts.TypeFormatFlags.NoTruncation);
          return `  ${mname}${ts.isConstructorDeclaration(m) ? text.replace(/\): [^)]*$/, ')') : text};`;
        }
        return `  ${printer.printNode(ts.EmitHint.Unspecified, m, sf).replace(/\s*=.*;$/, ';')}`;
      });
    const heritage = (decl.heritageClauses ?? []).map((h) => ` ${h.getText(sf)}`).join('');
    return `class ${name}${heritage} {\n${members.join('\n')}\n}`;
  }
  // a type computed from a value the package does not export (`(typeof ERROR_CODES)[number]`): the type it resolves to
  if (kind === 'type' && /\btypeof\b/.test(decl.type.getText(sf))) {
    return `type ${name} = ${checker.typeToString(checker.getTypeAtLocation(decl), decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias)};`;
  }
  // interfaces and type aliases: the source text, member comments kept, the declaration's own comment dropped
  return decl.getText(sf).replace(/^export\s+/, '').replace(/^(interface|type)\s+\w+/, `$1 ${name}`);
}

/** docs/api.md as it should read now. */
export function renderApi() {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram([ENTRY], { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true });
  const entry = program.getSourceFile(ENTRY);
  const moduleSymbol = checker.getSymbolAtLocation(entry);
  const entryDoc = ts.getJSDocCommentsAndTags(entry.statements[0] ?? entry).map((d) => (typeof d.comment === 'string' ? d.comment : '')).join('');
  const items = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (!decl) continue;
    const name = exported.name;
    items.push({
      name,
      kind: kindOf(decl),
      file: rel(decl.getSourceFile().fileName),
      signature: signature(checker, printer, name, symbol, decl),
      summary: firstParagraph(ts.displayPartsToString(symbol.getDocumentationComment(checker))),
      examples: examples(symbol.getJsDocTags(checker)),
    });
  }
  const values = items.filter((i) => ['function', 'class', 'const', 'enum'].includes(i.kind));
  const types = items.filter((i) => !values.includes(i));
  const section = (i) => [
    `### ${i.name}`,
    '',
    `${i.kind}, \`${i.file}\``,
    '',
    '```ts',
    i.signature,
    '```',
    ...(i.summary ? ['', i.summary] : []),
    ...i.examples.flatMap((e) => ['', 'Example:', '', '```ts', e, '```']),
    '',
  ].join('\n');
  const index = (list) => list.map((i) => `[${i.name}](#${i.name.toLowerCase()})`).join(', ');
  return [
    '# Library API reference',
    '',
    '<!-- Generated by npm run docs (scripts/gen-api.mjs) from src/index.ts and the doc comments of',
    '     what it exports. Do not edit: change the doc comment and run npm run docs. -->',
    '',
    `Everything \`import … from 'trove'\` gives (${values.length} functions and values, ${types.length} types), in the order`,
    '`src/index.ts` exports them, with the first paragraph of each doc comment and its `@example`.',
    'Errors are `TroveError`s with a stable `code` ([exit-codes.md](exit-codes.md)); results are',
    'the objects `--json` prints ([json.md](json.md)).',
    ...(entryDoc ? ['', firstParagraph(entryDoc)] : []),
    '',
    '## Functions and values',
    '',
    index(values),
    '',
    ...values.map(section),
    '## Types',
    '',
    index(types),
    '',
    ...types.map(section),
  ].join('\n').replace(/\n+$/, '\n');
}
