/**
 * Refuses, at load time, bundles that AppSync would refuse or fail on: over 32 KB, or using
 * language features the APPSYNC_JS runtime does not support (AWS "Supported runtime features";
 * the same list the official eslint plugin enforces on the sources). Checking the bundle, not the
 * sources, also catches what a dependency or the bundler brought in.
 */
import { parse } from 'acorn';
import type { Node } from 'acorn';
import { UserFacingError } from '../../config/errors';
// AppSync's limit on the code of one resolver or function, as synth enforces it.
import { MAX_BUNDLE_BYTES as MAX_CODE_BYTES } from '../../constructs/resolver-catalog';

/** Modules a bundle may import; everything else must be bundled in. */
const PROVIDED_MODULES = ['@aws-appsync/utils'];

/** Code APPSYNC_JS would not run. The message names the resolver and every problem with its line. */
export class AppSyncJsCodeError extends UserFacingError {
  constructor(
    readonly resolverName: string,
    readonly problems: string[],
  ) {
    super({ location: resolverName, problem: `the APPSYNC_JS runtime would reject this code: ${problems.join('; ')}` });
  }
}

type AnyNode = Node & Record<string, unknown>;

/** What is wrong with one node, or undefined. */
function problemOf(node: AnyNode): string | undefined {
  switch (node.type) {
    case 'TryStatement':
      return 'try/catch/finally is not supported (use util.error)';
    case 'ThrowStatement':
      return 'throw is not supported (use util.error)';
    case 'WhileStatement':
    case 'DoWhileStatement':
      return 'while/do-while loops are not supported';
    case 'ForStatement':
      return 'for(;;) loops are not supported (use for-of or for-in)';
    case 'ContinueStatement':
      return 'continue is not supported';
    case 'LabeledStatement':
      return 'labeled statements are not supported';
    case 'ClassDeclaration':
    case 'ClassExpression':
      return 'classes are not supported';
    case 'AwaitExpression':
      return 'await is not supported';
    case 'YieldExpression':
      return 'yield is not supported';
    case 'ThisExpression':
      return 'this is not supported';
    case 'ImportExpression':
      return 'dynamic import() is not supported';
    case 'UpdateExpression':
      return `the ${String(node.operator)} operator is not supported`;
    case 'UnaryExpression':
      return node.operator === '~' ? 'the ~ operator is not supported' : undefined;
    case 'BinaryExpression':
      return node.operator === 'in' || node.operator === 'instanceof'
        ? `the ${String(node.operator)} operator is not supported${node.operator === 'in' ? ' (use Object.hasOwn)' : ''}`
        : undefined;
    case 'Literal':
      return node.regex ? 'regular expression literals are not supported' : undefined;
    case 'Identifier':
      return node.name === 'Promise' ? 'promises are not supported' : undefined;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.async) return 'async functions are not supported';
      return node.generator ? 'generators are not supported' : undefined;
    case 'ImportDeclaration': {
      const from = String((node.source as AnyNode).value);
      return PROVIDED_MODULES.includes(from) ? undefined : `imports "${from}", which the runtime does not provide (bundle it)`;
    }
    default:
      return undefined;
  }
}

/** Every AST node below `root`, depth first. */
function* nodesOf(root: AnyNode): Generator<AnyNode> {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    yield node;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc' || key === 'regex') continue;
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (child && typeof child === 'object' && typeof (child as AnyNode).type === 'string') stack.push(child as AnyNode);
      }
    }
  }
}

/** Throws AppSyncJsCodeError listing every problem of the bundle `code`. */
export function checkAppSyncJsCode(resolverName: string, code: string): void {
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > MAX_CODE_BYTES) {
    throw new AppSyncJsCodeError(resolverName, [`the code is ${bytes} bytes, over the limit of ${MAX_CODE_BYTES} bytes`]);
  }
  let program: AnyNode;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as AnyNode;
  } catch (err) {
    throw new AppSyncJsCodeError(resolverName, [`the code does not parse as an ES module: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  for (const node of nodesOf(program)) {
    const problem = problemOf(node);
    if (problem) problems.push(`${problem} (line ${node.loc?.start.line}:${node.loc?.start.column})`);
  }
  if (problems.length > 0) {
    throw new AppSyncJsCodeError(resolverName, problems.sort(byLine));
  }
}

function byLine(a: string, b: string): number {
  const pos = (s: string) => Number(/\(line (\d+):/.exec(s)?.[1] ?? 0);
  return pos(a) - pos(b);
}
