/**
 * The purity rule for the shared core: nothing in `lib/` may import a module from outside `lib/`
 * (no Node, no Moddable, no packages) or touch a host global. Run as a CLI it prints every
 * violation and exits 1; the tests use `findImpurities` directly.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Globals of Node, browsers or Moddable that the core must receive as parameters instead. */
export const HOST_GLOBALS = new Set([
  'Buffer', 'process', 'require', 'module', '__dirname', '__filename', 'global', 'window', 'self', 'document',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask',
  'console', 'trace', 'print', 'performance', 'Date', 'TextEncoder', 'TextDecoder', 'fetch', 'crypto',
  'structuredClone', 'atob', 'btoa', 'navigator', 'location', 'WebSocket', 'XMLHttpRequest',
]);

export interface Impurity {
  file: string;
  line: number;
  text: string;
  why: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** True when the name resolves to nothing in lib/ (a global of some host), not a local or a property. */
function isHostGlobal(node: ts.Identifier, checker: ts.TypeChecker, libRoot: string): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  const symbol = checker.getSymbolAtLocation(node);
  if (!symbol) return true;
  const declarations = symbol.declarations ?? [];
  return declarations.length === 0 || declarations.some((d) => !resolve(d.getSourceFile().fileName).startsWith(libRoot));
}

export function findImpurities(root: string): Impurity[] {
  const found: Impurity[] = [];
  const libRoot = resolve(root);
  const files = sourceFiles(libRoot);
  const program = ts.createProgram(files, { lib: ['lib.es2022.d.ts'], types: [], noEmit: true, allowJs: true, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) continue;
    const report = (node: ts.Node, why: string) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push({ file: relative(process.cwd(), file), line: line + 1, text: node.getText(source).slice(0, 80), why });
    };
    const checkSpecifier = (node: ts.Node, specifier: string) => {
      if (!specifier.startsWith('.')) report(node, `imports "${specifier}": the core takes host services as parameters`);
      else if (!resolve(file, '..', specifier).startsWith(libRoot)) report(node, `imports "${specifier}" from outside lib/`);
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
        checkSpecifier(node, node.moduleSpecifier.text);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) report(node, 'dynamic import');
      else if (ts.isIdentifier(node) && HOST_GLOBALS.has(node.text) && isHostGlobal(node, checker, libRoot))
        report(node.parent, `uses the host global ${node.text}`);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const root = process.argv[2] ?? 'lib';
  const impurities = findImpurities(root);
  for (const i of impurities) process.stdout.write(`${i.file}:${i.line}: ${i.why}: ${i.text}\n`);
  process.stdout.write(impurities.length === 0 ? `purity: ${root}/ uses no host module or global\n` : `purity: ${impurities.length} violation(s)\n`);
  process.exitCode = impurities.length === 0 ? 0 : 1;
}
