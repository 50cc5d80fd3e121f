/**
 * The local APPSYNC_JS runtime on small hand-written bundles: AppSync's error, early-return and
 * pipeline semantics, the context it builds, the code it refuses, and its DynamoDB translation
 * against a real emulator (dynalite).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { AppSyncJsCodeError, createAppSyncJsRuntime } from '../local/appsync-js';
import type { AppSyncJsRuntime, FieldContext, ResolverCode } from '../local/appsync-js';
import { startTestDynamoDb } from './helpers/dynamodb';
import type { TestDynamoDb } from './helpers/dynamodb';

const IMPORT = "import { util, runtime } from '@aws-appsync/utils';\n";

function unit(code: string, dataSource = 'none', fieldName = 'probe'): ResolverCode {
  return { typeName: 'Query', fieldName, kind: 'UNIT', code: IMPORT + code, dataSource };
}

function pipeline(before: string, functions: string[]): ResolverCode {
  return {
    typeName: 'Mutation',
    fieldName: 'chain',
    kind: 'PIPELINE',
    code: IMPORT + before,
    functions: functions.map((code, i) => ({ name: `fn${i + 1}`, code: IMPORT + code, dataSource: 'none' })),
  };
}

/** A NONE resolver whose response handler is `response` and whose request forwards the args. */
const passArgs = 'export function request(ctx) { return { payload: ctx.args }; }\n';

function field(overrides: Partial<FieldContext> = {}): FieldContext {
  return {
    arguments: {},
    source: null,
    identity: { sub: 'sub-1', username: 'alice', groups: ['editors'], claims: { email: 'a@example.com' }, issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool' },
    request: { headers: { 'x-test': 'yes' } },
    info: { fieldName: 'probe', parentTypeName: 'Query', variables: { v: 1 }, selectionSetList: ['id'] },
    ...overrides,
  };
}

let dynamo: TestDynamoDb;
let rt: AppSyncJsRuntime;
const CLOCK = Date.parse('2024-05-01T10:00:00.000Z');

beforeAll(async () => {
  dynamo = await startTestDynamoDb('runtime-test');
  rt = createAppSyncJsRuntime({
    dataSources: [
      { name: 'none', type: 'NONE' },
      { name: 'table', type: 'AMAZON_DYNAMODB', tableName: dynamo.tableName },
      // Nothing listens on port 9 of 127.0.0.1 (discard): connection refused.
      { name: 'down', type: 'HTTP', endpoint: 'http://127.0.0.1:9' },
    ],
    dynamodb: { endpoint: dynamo.endpoint, region: dynamo.region },
    env: { STAGE: 'test' },
    clock: () => CLOCK,
  });
});

afterAll(async () => {
  rt?.close();
  await dynamo?.close();
});

describe('unit resolvers and util errors', () => {
  test('request -> NONE data source -> response, with the context AppSync builds', async () => {
    const code = `export function request(ctx) { return { payload: { args: ctx.arguments, same: ctx.args === ctx.arguments } }; }
export function response(ctx) {
  return { ...ctx.result, source: ctx.source, identity: ctx.identity, headers: ctx.request.headers, info: ctx.info, env: ctx.env, stash: ctx.stash };
}`;
    const out = await rt.resolveField(unit(code), field({ arguments: { id: 'a1' }, source: { parent: 1 } }));
    expect(out.errors).toEqual([]);
    expect(out.data).toEqual({
      args: { id: 'a1' },
      same: true,
      source: { parent: 1 },
      identity: field().identity,
      headers: { 'x-test': 'yes' },
      info: field().info,
      env: { STAGE: 'test' },
      stash: {},
    });
  });

  test('util.error aborts: the field is null and the error carries message, type, data, errorInfo', async () => {
    const code = `export function request(ctx) {
  util.error('bad input', 'ValidationError', { f: 1 }, { field: 'title' });
  util.appendError('never reached', 'Unreachable');
  return { payload: 1 };
}
export function response(ctx) { return 'response ran'; }`;
    const out = await rt.resolveField(unit(code), field());
    expect(out).toEqual({ data: null, errors: [{ message: 'bad input', errorType: 'ValidationError', data: { f: 1 }, errorInfo: { field: 'title' } }] });
  });

  test('util.error in the response handler after appendError reports both, data null', async () => {
    const code = `${passArgs}export function response(ctx) {
  util.appendError('first', 'Warn');
  util.error('second', 'Fatal');
}`;
    const out = await rt.resolveField(unit(code), field());
    expect(out.data).toBeNull();
    expect(out.errors.map((e) => [e.message, e.errorType])).toEqual([['first', 'Warn'], ['second', 'Fatal']]);
  });

  test('util.appendError records an error and the resolver continues with data', async () => {
    const code = `${passArgs}export function response(ctx) {
  util.appendError('partial', 'PartialResult', null, { missing: 2 });
  return { ok: ctx.result.n };
}`;
    const out = await rt.resolveField(unit(code), field({ arguments: { n: 7 } }));
    expect(out.data).toEqual({ ok: 7 });
    expect(out.errors).toEqual([{ message: 'partial', errorType: 'PartialResult', data: null, errorInfo: { missing: 2 } }]);
  });

  test('util.unauthorized gives AppSync\'s Unauthorized error for the field', async () => {
    const code = `export function request(ctx) { util.unauthorized(); }
export function response(ctx) { return 1; }`;
    const out = await rt.resolveField(unit(code, 'none', 'secret'), field());
    expect(out).toEqual({
      data: null,
      errors: [{ message: 'Not Authorized to access secret on type Query', errorType: 'Unauthorized', data: null, errorInfo: null }],
    });
  });

  test('runtime.earlyReturn in a unit request skips the data source and the response handler', async () => {
    const code = `export function request(ctx) { runtime.earlyReturn({ early: true }); return { payload: 'late' }; }
export function response(ctx) { return { early: false }; }`;
    expect(await rt.resolveField(unit(code), field())).toEqual({ data: { early: true }, errors: [] });
  });

  test('a runtime error in resolver code is a Code error naming the resolver', async () => {
    const code = `${passArgs}export function response(ctx) { return ctx.result.missing.deeper; }`;
    const out = await rt.resolveField(unit(code), field());
    expect(out.data).toBeNull();
    expect(out.errors[0].errorType).toBe('Code');
    expect(out.errors[0].message).toContain('Query.probe');
  });

  test('resolver code sees no Node globals, and util.time / util.dynamodb behave like AppSync', async () => {
    const code = `${passArgs}export function response(ctx) {
  return {
    process: typeof process, timers: typeof setTimeout, fetch: typeof fetch,
    now: util.time.nowISO8601(), seconds: util.time.nowEpochSeconds(),
    item: util.dynamodb.toMapValues({ s: 'x', n: 3, b: true, z: null, l: ['a'], m: { k: 1 } }),
    id: util.autoId(),
  };
}`;
    const out = await rt.resolveField(unit(code), field());
    expect(out.errors).toEqual([]);
    const data = out.data as Record<string, unknown>;
    expect([data.process, data.timers, data.fetch]).toEqual(['undefined', 'undefined', 'undefined']);
    expect(data.now).toBe('2024-05-01T10:00:00.000Z');
    expect(data.seconds).toBe(CLOCK / 1000);
    expect(data.item).toEqual({
      s: { S: 'x' },
      n: { N: 3 },
      b: { BOOL: true },
      z: { NULL: true },
      l: { L: [{ S: 'a' }] },
      m: { M: { k: { N: 1 } } },
    });
    expect(data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('resolver code cannot load Node modules', async () => {
    const code = `${passArgs}export function response(ctx) { return require('node:fs').readFileSync('/etc/hostname', 'utf8'); }`;
    const out = await rt.resolveField(unit(code), field());
    expect(out.data).toBeNull();
    expect(out.errors[0].message).toContain('it requires "node:fs", which the runtime does not provide');
  });

  test('a bundle is evaluated once per distinct code; its console output reaches the log sink', async () => {
    const logged: [string, string, unknown[]][] = [];
    const own = createAppSyncJsRuntime({
      dataSources: [{ name: 'none', type: 'NONE' }],
      dynamodb: { endpoint: dynamo.endpoint, region: dynamo.region },
      env: {},
      log: (level, name, args) => logged.push([level, name, args]),
    });
    const code = unit(`console.info('module evaluated');\n${passArgs}export function response(ctx) { console.warn('responding', ctx.result.n); return 1; }`);
    await own.resolveField(code, field({ arguments: { n: 1 } }));
    await own.resolveField(code, field({ arguments: { n: 2 } }));
    own.close();
    expect(logged).toEqual([
      ['info', 'Query.probe', ['module evaluated']],
      ['warn', 'Query.probe', ['responding', 1]],
      ['warn', 'Query.probe', ['responding', 2]],
    ]);
  });

  test('a util function the local runtime lacks fails naming itself', async () => {
    const code = `${passArgs}export function response(ctx) { return util.time.nowFormatted('yyyy'); }`;
    const out = await rt.resolveField(unit(code), field());
    expect(out.errors[0].message).toContain('util.time.nowFormatted is not implemented by the local APPSYNC_JS runtime');
  });
});

describe('pipeline resolvers', () => {
  const record = (label: string) =>
    `export function request(ctx) { ctx.stash.trail = [...(ctx.stash.trail ?? []), '${label}:req<' + JSON.stringify(ctx.prev.result) + '>']; return { payload: '${label}-payload' }; }
export function response(ctx) { ctx.stash.trail = [...ctx.stash.trail, '${label}:res<' + ctx.result + '>']; return '${label}-result'; }`;
  const after = `export function response(ctx) { return { trail: ctx.stash.trail, last: ctx.prev.result }; }`;

  test('before -> functions in order (ctx.prev.result, shared stash) -> after', async () => {
    const before = `export function request(ctx) { ctx.stash.trail = ['before']; return { from: 'before' }; }\n${after}`;
    const out = await rt.resolveField(pipeline(before, [record('f1'), record('f2')]), field());
    expect(out).toEqual({
      data: {
        trail: ['before', 'f1:req<{"from":"before"}>', 'f1:res<f1-payload>', 'f2:req<"f1-result">', 'f2:res<f2-payload>'],
        last: 'f2-result',
      },
      errors: [],
    });
  });

  test('earlyReturn in the before handler skips every function; after gets the value', async () => {
    const before = `export function request(ctx) { ctx.stash.trail = ['before']; runtime.earlyReturn({ cached: 1 }); }\n${after}`;
    const out = await rt.resolveField(pipeline(before, [record('f1'), record('f2')]), field());
    expect(out.data).toEqual({ trail: ['before'], last: { cached: 1 } });
  });

  test('earlyReturn in a function request skips its data source and response; the next function runs', async () => {
    const skipping = `export function request(ctx) { ctx.stash.trail = [...ctx.stash.trail, 'f1:req']; runtime.earlyReturn('f1-early'); }
export function response(ctx) { ctx.stash.trail = [...ctx.stash.trail, 'f1:res']; return 'f1-result'; }`;
    const before = `export function request(ctx) { ctx.stash.trail = []; return {}; }\n${after}`;
    const out = await rt.resolveField(pipeline(before, [skipping, record('f2')]), field());
    expect(out.data).toEqual({ trail: ['f1:req', 'f2:req<"f1-early">', 'f2:res<f2-payload>'], last: 'f2-result' });
  });

  test("earlyReturn with { skipTo: 'END' } in a function jumps to the after handler", async () => {
    const ending = `export function request(ctx) { runtime.earlyReturn('done', { skipTo: 'END' }); }
export function response(ctx) { return 'unused'; }`;
    const before = `export function request(ctx) { ctx.stash.trail = []; return {}; }\n${after}`;
    const out = await rt.resolveField(pipeline(before, [ending, record('f2')]), field());
    expect(out.data).toEqual({ trail: [], last: 'done' });
  });

  test('util.error in a function aborts the pipeline: later functions and after do not run', async () => {
    const failing = `export function request(ctx) { return { payload: 1 }; }
export function response(ctx) { util.error('function failed', 'StepError'); }`;
    const before = `export function request(ctx) { ctx.stash.trail = []; return {}; }
export function response(ctx) { util.appendError('after ran', 'AfterRan'); return 'after'; }`;
    const out = await rt.resolveField(pipeline(before, [failing, record('f2')]), field());
    expect(out).toEqual({ data: null, errors: [{ message: 'function failed', errorType: 'StepError', data: null, errorInfo: null }] });
  });
});

describe('code the APPSYNC_JS runtime would reject', () => {
  const cases: [string, string, RegExp][] = [
    ['try/catch', 'try { return {}; } catch (e) { return {}; }', /try\/catch\/finally is not supported/],
    ['while', 'let i = 0; while (i < 1) { i = i + 1; } return {};', /while\/do-while loops are not supported/],
    ['for(;;)', 'for (let i = 0; i < 1; i = i + 1) {} return {};', /for\(;;\) loops are not supported/],
    ['class', 'class A {} return {};', /classes are not supported/],
    ['in', "return { has: 'a' in ctx.args };", /the in operator is not supported/],
    ['++', 'let i = 0; i++; return {};', /the \+\+ operator is not supported/],
    ['regex', 'return { ok: /a/.test("a") };', /regular expression literals are not supported/],
    ['promise', 'return Promise.resolve({});', /promises are not supported/],
    ['throw', "throw new Error('x');", /throw is not supported/],
  ];

  test.each(cases)('refuses %s at load time, naming the resolver and the line', async (_label, body, expected) => {
    const code = `export function request(ctx) {\n  ${body}\n}\nexport function response(ctx) { return ctx.result; }`;
    const refused = await rt.resolveField(unit(code, 'none', 'forbidden'), field()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppSyncJsCodeError);
    expect((refused as Error).message).toMatch(
      new RegExp(`Query\\.forbidden: the APPSYNC_JS runtime would reject this code: .*${expected.source}.*\\(line 3:`),
    );
  });

  test('refuses async handlers', async () => {
    const code = 'export async function request(ctx) { return {}; }\nexport function response(ctx) { return 1; }';
    await expect(rt.resolveField(unit(code), field())).rejects.toThrow(/async functions are not supported/);
  });

  test('refuses imports the runtime does not provide, and bundles over 32 KB', async () => {
    const importing = "import { x } from 'lodash';\nexport function request(ctx) { return { payload: x }; }\nexport function response(ctx) { return 1; }";
    await expect(rt.resolveField(unit(importing), field())).rejects.toThrow(/imports "lodash", which the runtime does not provide/);
    const big = `${passArgs}export function response(ctx) { return ${JSON.stringify('x'.repeat(33 * 1024))}; }`;
    await expect(rt.resolveField(unit(big), field())).rejects.toThrow(/over the limit of 32768 bytes/);
  });

  test('refuses a bundle without a response handler', async () => {
    await expect(rt.resolveField(unit(passArgs), field())).rejects.toThrow(/does not export a response function/);
  });

  test('prepare() checks every bundle and data source up front', () => {
    const good = unit(`${passArgs}export function response(ctx) { return 1; }`);
    expect(() => rt.prepare([good])).not.toThrow();
    expect(() => rt.prepare([{ ...good, dataSource: 'nowhere' }])).toThrow(/uses data source "nowhere", which is not one of: none, table, down/);
  });
});

describe('DynamoDB data source against dynalite', () => {
  const put = (condition: string) => `export function request(ctx) {
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    attributeValues: util.dynamodb.toMapValues({ status: 'DRAFT', createdAt: ctx.args.at, n: 5, tags: ['a'] }),
    ${condition}
  };
}
export function response(ctx) { return ctx.error ? { error: ctx.error } : { item: ctx.result }; }`;

  test('PutItem writes the item and returns it as plain JSON', async () => {
    const out = await rt.resolveField(unit(put(''), 'table'), field({ arguments: { id: 'p1', at: '2024-01-01' } }));
    expect(out.data).toEqual({ item: { id: 'p1', status: 'DRAFT', createdAt: '2024-01-01', n: 5, tags: ['a'] } });
    const stored = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { id: { S: 'p1' } } }));
    expect(stored.Item?.n).toEqual({ N: '5' });
  });

  test('a refused condition reaches the response handler as ctx.error DynamoDB:ConditionalCheckFailedException', async () => {
    const code = put("condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },");
    await rt.resolveField(unit(code, 'table'), field({ arguments: { id: 'p2', at: '2024-01-02' } }));
    const second = await rt.resolveField(unit(code, 'table'), field({ arguments: { id: 'p2', at: '2024-01-03' } }));
    const error = (second.data as { error: { type: string; message: string } }).error;
    expect(error.type).toBe('DynamoDB:ConditionalCheckFailedException');
    expect(error.message).toContain('conditional request failed');
  });

  test('Query pages with an opaque nextToken until the end', async () => {
    for (const day of ['10', '11', '12']) {
      await rt.resolveField(unit(put(''), 'table'), field({ arguments: { id: `q${day}`, at: `2025-02-${day}` } }));
    }
    const query = `export function request(ctx) {
  return {
    operation: 'Query', index: 'byStatus', limit: 2, scanIndexForward: true,
    query: { expression: '#s = :s AND #c >= :from', expressionNames: { '#s': 'status', '#c': 'createdAt' },
             expressionValues: util.dynamodb.toMapValues({ ':s': 'DRAFT', ':from': '2025-02-10' }) },
    ...(ctx.args.nextToken ? { nextToken: ctx.args.nextToken } : {}),
  };
}
export function response(ctx) { return ctx.result; }`;
    const first = (await rt.resolveField(unit(query, 'table'), field())).data as { items: { id: string }[]; nextToken: string };
    expect(first.items.map((i) => i.id)).toEqual(['q10', 'q11']);
    expect(typeof first.nextToken).toBe('string');
    const second = (await rt.resolveField(unit(query, 'table'), field({ arguments: { nextToken: first.nextToken } }))).data as {
      items: { id: string }[];
      nextToken: string | null;
    };
    expect(second.items.map((i) => i.id)).toEqual(['q12']);
    expect(second.nextToken).toBeNull();
  });

  test('a request without an operation is a MappingTemplate error', async () => {
    const code = "export function request(ctx) { return { key: {} }; }\nexport function response(ctx) { return ctx.result; }";
    const out = await rt.resolveField(unit(code, 'table'), field());
    expect(out.data).toBeNull();
    expect(out.errors[0]).toMatchObject({ errorType: 'MappingTemplate', message: expect.stringContaining("Value for field '$[operation]' not found.") });
  });

  test('an HTTP data source that cannot be reached sets ctx.error', async () => {
    const code = `export function request(ctx) { return { method: 'GET', resourcePath: '/' }; }
export function response(ctx) { return ctx.error; }`;
    const out = await rt.resolveField(unit(code, 'down'), field());
    expect(out.data).toMatchObject({ type: 'HTTP:ConnectionError', message: expect.stringContaining('http://127.0.0.1:9') });
  });
});
