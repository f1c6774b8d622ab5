import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * GitHub's own REST description (`@octokit/openapi`, generated/api.github.com.deref.json) as the
 * judge of every request the app sends to api.github.com in a test: the method and path must be an
 * operation, the query parameters ones it declares, the path and query values of its types, the
 * JSON body valid against its request body schema, and a success or redirect status the mock
 * answers one it documents.
 *
 * The description is 73 MB; the operations' parameters, request bodies and response codes
 * (about 0.6 MB) are extracted once into node_modules/.cache (the vitest global setup warms it)
 * and each test file reads only that; validators are compiled per operation on first use.
 */

const require = createRequire(import.meta.url);
const DESCRIPTION_FILE = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
const DESCRIPTION_VERSION = (require('@octokit/openapi/package.json') as { version: string }).version;
/** Bump when the extracted shape changes, so an old cache is not read. */
const INDEX_FORMAT = 1;

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
  /** `x-multi-segment`: the value may contain `/` (a contents path, a `base...head`). */
  multiSegment: boolean;
}

interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  /** Request body schema by media type. */
  body?: { required: boolean; content: Record<string, Schema> };
  /** Documented response status codes ('200', '304', 'default', ...). */
  responses: string[];
}

/** A request as the GitHub mock logged it. */
export interface DescribedRequest {
  method: string;
  /** Path with the query string, as sent (percent-encoded). */
  path: string;
  body: unknown;
  headers: Record<string, string | undefined>;
  /** The status the mock answered, when it answered one. */
  status?: number;
}

// ---------------------------------------------------------------------------------------------
// The extracted index, cached on disk

/** The keywords that only annotate a schema; dropped from the index. */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'externalDocs', 'deprecated']);
/** Schema keywords whose value is a map of names to schemas (the names are data, not keywords). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);

function slimSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(slimSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const slim: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    slim[key] = SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, slimSchema(sub)])) : slimSchema(value);
  }
  return slim;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface RawParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  'x-multi-segment'?: boolean;
}

function extractOperations(description: { paths: Record<string, Record<string, any>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(description.paths)) {
    const shared: RawParameter[] = item['parameters'] ?? [];
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = [...shared, ...((operation.parameters ?? []) as RawParameter[])]
        .filter((parameter) => parameter.in === 'path' || parameter.in === 'query')
        .map((parameter) => ({
          name: parameter.name,
          in: parameter.in as 'path' | 'query',
          required: parameter.in === 'path' || parameter.required === true,
          schema: (slimSchema(parameter.schema) ?? {}) as Schema,
          multiSegment: parameter['x-multi-segment'] === true,
        }));
      const requestBody = operation.requestBody as { required?: boolean; content?: Record<string, { schema?: Schema }> } | undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        parameters,
        ...(requestBody
          ? { body: { required: requestBody.required === true, content: Object.fromEntries(Object.entries(requestBody.content ?? {}).map(([type, media]) => [type, (slimSchema(media.schema) ?? {}) as Schema])) } }
          : {}),
        responses: Object.keys(operation.responses ?? {}),
      });
    }
  }
  return operations;
}

/** Where the extracted index of this description version lives (beside the installed packages). */
export function descriptionIndexFile(): string {
  const { size, mtimeMs } = statSync(DESCRIPTION_FILE);
  const nodeModules = DESCRIPTION_FILE.slice(0, DESCRIPTION_FILE.lastIndexOf('node_modules') + 'node_modules'.length);
  return join(nodeModules, '.cache', 'image-assurance', `github-rest-${DESCRIPTION_VERSION}-${size}-${Math.trunc(mtimeMs)}-v${INDEX_FORMAT}.json`);
}

/** Extracts the index from the full description unless a cached one exists; returns its file. */
export function ensureDescriptionIndex(): string {
  const file = descriptionIndexFile();
  if (existsSync(file)) return file;
  const operations = extractOperations(JSON.parse(readFileSync(DESCRIPTION_FILE, 'utf8')) as { paths: Record<string, Record<string, any>> });
  mkdirSync(dirname(file), { recursive: true });
  // Parallel test runs may extract at once: each writes its own file and renames it into place.
  const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(partial, JSON.stringify(operations));
  renameSync(partial, file);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Matching a request to an operation

interface Route {
  operation: Operation;
  pattern: RegExp;
  names: string[];
  /** Characters outside `{params}`: the more, the more specific (literal segments win). */
  literalLength: number;
}

let routes: Map<string, Route[]> | undefined;

function routesByMethod(): Map<string, Route[]> {
  if (routes) return routes;
  const operations = JSON.parse(readFileSync(ensureDescriptionIndex(), 'utf8')) as Operation[];
  routes = new Map();
  for (const operation of operations) {
    const names: string[] = [];
    const source = operation.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(name);
        const multiSegment = operation.parameters.some((parameter) => parameter.in === 'path' && parameter.name === name && parameter.multiSegment);
        return multiSegment ? '(.+)' : '([^/]+)';
      })
      .join('');
    const route = { operation, pattern: new RegExp(`^${source}$`), names, literalLength: operation.path.replace(/\{[^}]+\}/g, '').length };
    routes.set(operation.method, [...(routes.get(operation.method) ?? []), route]);
  }
  for (const list of routes.values()) list.sort((a, b) => b.literalLength - a.literalLength);
  return routes;
}

/** The operation a method and (percent-encoded, query-free) path are, with its decoded path parameters. */
export function findOperation(method: string, path: string): { operation: Operation; pathParams: Record<string, string> } | undefined {
  for (const route of routesByMethod().get(method.toUpperCase()) ?? []) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParams = Object.fromEntries(route.names.map((name, index) => [name, safeDecode(match[index + 1]!)]));
    return { operation: route.operation, pathParams };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) return value;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Validators, compiled per operation on first use

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function newAjv(coerceTypes: boolean): Ajv {
  // strict: false because OpenAPI 3.0 schemas carry keywords JSON Schema lacks (`nullable` is
  // Ajv's own OpenAPI support; `readOnly`, `discriminator` annotate); allErrors names every problem.
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats(ajv);
  // GitHub's own formats: `repo.nwo` is owner/name; int64 and binary constrain nothing JSON can hold.
  ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/);
  ajv.addFormat('int64', true);
  ajv.addFormat('binary', true);
  return ajv;
}

let parameterAjv: Ajv | undefined;
let bodyAjv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validator(key: string, build: () => { ajv: Ajv; schema: Schema }): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    const { ajv, schema } = build();
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

function parameterValidator(operation: Operation, location: 'path' | 'query'): ValidateFunction {
  return validator(`${operation.method} ${operation.path} ${location}`, () => {
    const parameters = operation.parameters.filter((parameter) => parameter.in === location);
    parameterAjv ??= newAjv(true);
    return {
      ajv: parameterAjv,
      schema: {
        type: 'object',
        properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
        required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
        additionalProperties: false,
      },
    };
  });
}

/**
 * The request body schema, closed: an object schema that lists its properties and says nothing of
 * others takes no others (a misspelt field GitHub would silently ignore is a finding). What the
 * description says stays: `additionalProperties: true` or a schema still allows them, and the
 * members of an `allOf` stay open (closing one would reject the others' properties).
 */
export function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const closed: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'allOf') closed[key] = value;
    else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') closed[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closeSchema(sub)]));
    else closed[key] = closeSchema(value);
  }
  if ('properties' in closed && !('additionalProperties' in closed) && !('patternProperties' in closed)) closed['additionalProperties'] = false;
  return closed;
}

function bodyValidator(operation: Operation, mediaType: string, schema: Schema): ValidateFunction {
  return validator(`${operation.method} ${operation.path} body ${mediaType}`, () => {
    bodyAjv ??= newAjv(false);
    return { ajv: bodyAjv, schema: closeSchema(schema) as Schema };
  });
}

function describeErrors(validate: ValidateFunction, root: string): string {
  return (validate.errors ?? [])
    .map((error) => {
      const where = `${root}${error.instancePath}`;
      if (error.keyword === 'additionalProperties') return `${where}: property "${String(error.params['additionalProperty'])}" is not in GitHub's description`;
      if (error.keyword === 'enum') return `${where}: ${error.message} (${JSON.stringify(error.params['allowedValues'])})`;
      return `${where}: ${error.message}`;
    })
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// The check

/** Media types whose body is JSON (octokit sends `application/json; charset=utf-8`). */
function mediaTypeOf(headers: Record<string, string | undefined>): string {
  return (headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/**
 * What is wrong with one request against GitHub's REST description: an empty list when nothing is.
 * Each problem names the request (`METHOD path`) and, when known, the operation.
 */
export function checkRequest(request: DescribedRequest): string[] {
  const [rawPath = '', rawQuery = ''] = request.path.split(/\?(.*)/s);
  const name = `${request.method} ${request.path}`;
  const found = findOperation(request.method, rawPath);
  if (!found) return [`${name}: no operation ${request.method} ${rawPath} in GitHub's REST description (${DESCRIPTION_VERSION})`];
  const { operation, pathParams } = found;
  const where = `${name} (${operation.operationId}, ${operation.method} ${operation.path})`;
  const problems: string[] = [];

  const pathValidator = parameterValidator(operation, 'path');
  if (!pathValidator({ ...pathParams })) problems.push(`${where}: path ${describeErrors(pathValidator, '')}`);

  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const queryValidator = parameterValidator(operation, 'query');
  if (!queryValidator(query)) {
    const unknown = (queryValidator.errors ?? []).filter((error) => error.keyword === 'additionalProperties').map((error) => String(error.params['additionalProperty']));
    const declared = operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    problems.push(
      unknown.length > 0
        ? `${where}: query parameter ${unknown.map((key) => `"${key}"`).join(', ')} not declared (declared: ${declared.join(', ') || 'none'})`
        : `${where}: query ${describeErrors(queryValidator, '')}`,
    );
  }

  if (request.body !== undefined && request.body !== '') {
    const mediaType = mediaTypeOf(request.headers);
    const schema = operation.body?.content[mediaType];
    if (!operation.body) problems.push(`${where}: sends a body, but the operation takes none`);
    else if (!schema) problems.push(`${where}: sends ${mediaType}, but the operation takes ${Object.keys(operation.body.content).join(', ')}`);
    else if (mediaType === 'application/json') {
      const validate = bodyValidator(operation, mediaType, schema);
      if (!validate(request.body)) problems.push(`${where}: body ${describeErrors(validate, 'body')}`);
    }
  } else if (operation.body?.required) {
    problems.push(`${where}: sends no body, but the operation requires one`);
  }

  if (request.status !== undefined && !isDocumentedStatus(operation, request)) {
    problems.push(`${where}: the mock answers ${request.status}, which GitHub does not document for this operation (documented: ${operation.responses.join(', ')})`);
  }
  return problems;
}

/**
 * Whether GitHub documents the status the mock answered. Success and redirect codes must be
 * documented (a 201 where GitHub answers 200 is a wrong mock), except 304 to a conditional GET,
 * which any GET may answer. Errors are not checked: GitHub may answer 401, 403, 404, 422, 429 or
 * 5xx where its description lists none, and tests rightly fake them.
 */
function isDocumentedStatus(operation: Operation, request: DescribedRequest): boolean {
  const status = request.status!;
  if (status >= 400) return true;
  if (status === 304 && operation.method === 'GET' && (request.headers['if-none-match'] !== undefined || request.headers['if-modified-since'] !== undefined)) return true;
  return operation.responses.includes('default') || operation.responses.includes(String(status)) || operation.responses.includes(`${String(status)[0]}XX`);
}
