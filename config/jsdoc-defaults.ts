import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** One `@default` tag of an interface member in a TypeScript source file. */
export interface DocumentedDefault {
  /** The interface that declares the option, e.g. `ApiConfig`. */
  readonly owner: string;
  /** The option, e.g. `queryDepthLimit`. */
  readonly option: string;
  /** The tag's text, e.g. `10` or `[] (no domain)`. */
  readonly text: string;
  /**
   * The value when the text (less a trailing parenthetical remark) is a literal: string,
   * number, boolean, array or object of those. Absent for prose such as `none` or
   * `the project region`.
   */
  readonly literal?: { readonly value: unknown };
}

/** Every `@default` tag on a member of an interface declared at the top level of `file`. */
export function documentedDefaults(file: string): DocumentedDefault[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: DocumentedDefault[] = [];
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member) || !member.name) continue;
      for (const tag of ts.getJSDocTags(member)) {
        if (tag.tagName.text !== 'default') continue;
        const text = (ts.getTextOfJSDocComment(tag.comment) ?? '').trim();
        found.push({ owner: statement.name.text, option: member.name.getText(source), text, literal: parseLiteral(text) });
      }
    }
  }
  return found;
}

/** The literal a `@default` text spells, or undefined when the text is prose. */
function parseLiteral(text: string): { value: unknown } | undefined {
  const bare = text.replace(/\s+\([^)]*\)$/, '');
  const parsed = ts.createSourceFile('default.ts', `(${bare});`, ts.ScriptTarget.Latest, true);
  // parseDiagnostics is not in the public typings, but is what "does this parse" means.
  const diagnostics = (parsed as unknown as { parseDiagnostics: readonly unknown[] }).parseDiagnostics;
  const [statement] = parsed.statements;
  if (diagnostics.length > 0 || parsed.statements.length !== 1 || !ts.isExpressionStatement(statement)) return undefined;
  const expression = statement.expression;
  if (!ts.isParenthesizedExpression(expression)) return undefined;
  try {
    return { value: literalValue(expression.expression) };
  } catch {
    return undefined;
  }
}

function literalValue(node: ts.Expression): unknown {
  if (ts.isStringLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literalValue);
  if (ts.isObjectLiteralExpression(node)) {
    return Object.fromEntries(
      node.properties.map((p) => {
        if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) throw new Error('not a literal');
        return [p.name.text, literalValue(p.initializer)];
      }),
    );
  }
  throw new Error(`not a literal: ${ts.SyntaxKind[node.kind]}`);
}
