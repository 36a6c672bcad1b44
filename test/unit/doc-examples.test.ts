import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The `@example`s of the TSDoc comments name only what exists. Each example is parsed as
 * TypeScript; every function it calls by name (`name(…)`) and every class it constructs
 * (`new Name(…)`) must be exported by a file of lib/, handlers/ or devkit/, declared or imported in
 * the file the example documents, declared by the example itself, or a JavaScript or Node global.
 * A method called on a port or an adapter by its usual name (`queue.sendBatch(…)`) must be one it has,
 * and an object literal that spreads an exported constant (`{ ...UNKNOWN_STEPS_PACE, key: 1 }`)
 * may only set keys that constant's type has.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCUMENTED = ['lib', 'handlers', 'devkit'];

/** The globals an example may call or construct. */
const GLOBALS = new Set([
  'AbortSignal',
  'Array',
  'BigInt',
  'Boolean',
  'Buffer',
  'Date',
  'Error',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Promise',
  'Set',
  'String',
  'TypeError',
  'URL',
  'URLSearchParams',
  'clearTimeout',
  'console',
  'encodeURIComponent',
  'fetch',
  'setTimeout',
]);

/**
 * The names examples give the core's ports (lib/watch/ports/) and the objects the adapters and the
 * dev kit return, and the interface each name stands for.
 */
const RECEIVER_INTERFACES: Record<string, string> = {
  authority: 'Authority',
  board: 'LiveBoard',
  clock: 'Clock',
  discoverer: 'Discoverer',
  iam: 'IamTokenProvider',
  lister: 'GatewayLister',
  log: 'Log',
  metrics: 'Metrics',
  notifier: 'Notifier',
  progressSource: 'ProgressSource',
  queue: 'WatchQueue',
  receiver: 'WebhookReceiver',
  requester: 'ApigRequester',
  sender: 'WatchRequestSender',
  simulator: 'ApigSimulator',
  spacing: 'PostSpacing',
  stack: 'LocalStack',
  store: 'StepStore',
  watcher: 'Watcher',
};

/** What the repository declares that an example may name. */
interface KnownNames {
  /** Every name some file exports. */
  exported: Set<string>;
  /** The member names of every exported interface, by interface name. */
  interfaceMembers: Map<string, Set<string>>;
  /** The keys of every exported constant initialised with an object literal, by constant name. */
  constantKeys: Map<string, Set<string>>;
}

/** One `@example` block: the file it documents, its first line there, its code. */
interface Example {
  file: string;
  line: number;
  code: string;
}

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

/** The names a file's top-level statements declare or import, and which of them it exports. */
function topLevelNames(source: ts.SourceFile): { declared: string[]; exported: string[] } {
  const declared: string[] = [];
  const exported: string[] = [];
  for (const statement of source.statements) {
    const names: string[] = [];
    if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      if (statement.name) names.push(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      names.push(...statement.declarationList.declarations.flatMap((declaration) => bindingNames(declaration.name)));
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) declared.push(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) declared.push(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) declared.push(...bindings.elements.map((element) => element.name.text));
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      exported.push(...statement.exportClause.elements.map((element) => element.name.text));
    }
    declared.push(...names);
    if (hasExportModifier(statement)) exported.push(...names);
  }
  return { declared, exported };
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function memberName(name: ts.PropertyName | undefined): string | undefined {
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

/** What the parsed files declare that an example may name. */
function knownNamesIn(sources: ts.SourceFile[]): KnownNames {
  const exported = new Set<string>();
  const interfaceMembers = new Map<string, Set<string>>();
  const constantTypes = new Map<string, string>();
  const constantKeys = new Map<string, Set<string>>();
  for (const source of sources) {
    for (const name of topLevelNames(source).exported) exported.add(name);
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        const members = statement.members.map((member) => memberName(member.name)).filter((name) => name !== undefined);
        interfaceMembers.set(statement.name.text, new Set(members));
      }
      if (!ts.isVariableStatement(statement) || !hasExportModifier(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const type = declaration.type;
        if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) constantTypes.set(declaration.name.text, type.typeName.text);
        else if (declaration.initializer && ts.isObjectLiteralExpression(declaration.initializer)) {
          const keys = declaration.initializer.properties.map((property) => memberName(property.name)).filter((name) => name !== undefined);
          constantKeys.set(declaration.name.text, new Set(keys));
        }
      }
    }
  }
  for (const [constant, type] of constantTypes) {
    const members = interfaceMembers.get(type);
    if (members) constantKeys.set(constant, members);
  }
  return { exported, interfaceMembers, constantKeys };
}

/** The `@example` blocks of a file's TSDoc comments, with the comment's `*` margin taken off. */
function examplesOf(file: string, text: string): Example[] {
  const examples: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, comment.index).split('\n').length;
    const lines = comment[0]
      .replace(/\*\/$/, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\/?\*+ ?/, ''));
    let current: Example | undefined;
    lines.forEach((line, index) => {
      const tag = /^\s*@(\w+)\s*(.*)$/.exec(line);
      if (tag) {
        current = tag[1] === 'example' ? { file, line: firstLine + index, code: tag[2] ?? '' } : undefined;
        if (current) examples.push(current);
      } else if (current) current.code += `\n${line}`;
    });
  }
  return examples;
}

/** The names an example declares itself: its imports, variables, parameters, functions and classes. */
function namesDeclaredIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (child: ts.Node) => {
    if (ts.isVariableDeclaration(child) || ts.isParameter(child) || ts.isBindingElement(child)) for (const name of bindingNames(child.name)) names.add(name);
    if ((ts.isFunctionDeclaration(child) || ts.isClassDeclaration(child)) && child.name) names.add(child.name.text);
    if (ts.isImportClause(child) || ts.isImportSpecifier(child) || ts.isNamespaceImport(child)) if (child.name) names.add(child.name.text);
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

/** The last name of a receiver: `queue` for `queue` and for `ports.queue`. */
function receiverName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/**
 * What an example names that does not exist, each as a sentence; `inScope` are the names the
 * documented file declares or imports.
 */
function unknownNamesInExample(code: string, inScope: Set<string>, known: KnownNames): string[] {
  const source = parse('example.ts', code);
  const own = namesDeclaredIn(source);
  const exists = (name: string) => GLOBALS.has(name) || own.has(name) || inScope.has(name) || known.exported.has(name);
  const problems: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && !exists(node.expression.text))
      problems.push(`calls ${node.expression.text}(), which nothing declares`);
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && !exists(node.expression.text))
      problems.push(`constructs ${node.expression.text}, which nothing declares`);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const receiver = receiverName(node.expression.expression);
      const port = receiver === undefined ? undefined : RECEIVER_INTERFACES[receiver];
      const methods = port === undefined ? undefined : known.interfaceMembers.get(port);
      const method = node.expression.name.text;
      if (methods && !methods.has(method)) problems.push(`calls ${receiver}.${method}(), which ${port} has not`);
    }
    if (ts.isObjectLiteralExpression(node)) {
      const spread = node.properties.find((property) => ts.isSpreadAssignment(property) && ts.isIdentifier(property.expression));
      const constant = spread && ts.isSpreadAssignment(spread) && ts.isIdentifier(spread.expression) ? spread.expression.text : undefined;
      const keys = constant === undefined ? undefined : known.constantKeys.get(constant);
      for (const property of keys ? node.properties : []) {
        const key = memberName(property.name);
        if (key !== undefined && !keys?.has(key)) problems.push(`sets ${key} beside ...${constant}, which has no such key`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

function typeScriptFilesUnder(folder: string): string[] {
  return (readdirSync(join(ROOT, folder), { recursive: true }) as string[]).filter((name) => name.endsWith('.ts')).map((name) => join(folder, name));
}

const FIXTURE_KNOWN = knownNamesIn([
  parse(
    'fixture.ts',
    `export function decidePoll() {}
     export interface WatchQueue { sendBatch(): void; retryLater(): void }
     export interface PaceModel { minIntervalSeconds: number }
     export const PACE: PaceModel = { minIntervalSeconds: 10 };`,
  ),
]);

describe('the @examples of the TSDoc comments', () => {
  it('call only functions, classes and port methods that exist', () => {
    const files = DOCUMENTED.flatMap(typeScriptFilesUnder);
    const texts = new Map(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
    const sources = files.map((file) => parse(file, texts.get(file)!));
    const known = knownNamesIn(sources);
    const problems = sources.flatMap((source) => {
      const inScope = new Set(topLevelNames(source).declared);
      return examplesOf(source.fileName, texts.get(source.fileName)!).flatMap((example) =>
        unknownNamesInExample(example.code, inScope, known).map((problem) => `${example.file}:${example.line}: the example ${problem}`),
      );
    });
    expect(problems).toEqual([]);
  });

  it('reports a made-up function, a made-up class, a method the port has not and a key the constant has not', () => {
    const code = `const decision = decidePol(state, now);
      await queue.send([{ id: '0', body }]);
      throw new WatchGoneError('gone');
      const schedule = adaptiveScheduleWith({ ...PACE, nearIntervalSeconds: 12 });`;
    expect(unknownNamesInExample(code, new Set(['adaptiveScheduleWith']), FIXTURE_KNOWN)).toEqual([
      'calls decidePol(), which nothing declares',
      'calls queue.send(), which WatchQueue has not',
      'constructs WatchGoneError, which nothing declares',
      'sets nearIntervalSeconds beside ...PACE, which has no such key',
    ]);
  });

  it('accepts what exists: exports, names in scope, names the example declares, globals, calls in strings and comments', () => {
    const code = `const decision = decidePoll(state, await observe(state), Date.now());
      await ports.queue.sendBatch([{ id: '0', body: JSON.stringify(decision) }]);
      import { readFile } from 'node:fs/promises';
      const fit = (text) => text; fit(await readFile('x')); // made(), up()
      console.log('made() up()', \`\${new URL('http://h.example')}\`, { ...PACE, minIntervalSeconds: 5 });`;
    expect(unknownNamesInExample(code, new Set(['observe']), FIXTURE_KNOWN)).toEqual([]);
  });

  it('reads the code of each @example block, up to the next tag', () => {
    const text = `/**
 * Says hello.
 * @example
 * greet('you') // 'hello you'
 * greet('me')
 * @param name who
 */`;
    expect(examplesOf('greet.ts', text)).toEqual([{ file: 'greet.ts', line: 3, code: "\ngreet('you') // 'hello you'\ngreet('me')" }]);
  });
});
