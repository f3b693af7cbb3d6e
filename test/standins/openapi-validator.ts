// Validates REST requests against Discord's official OpenAPI 3.1 spec
// (discord/discord-api-spec), so the stand-in can flag bodies real Discord would reject.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const DEFAULT_SPEC_URL = new URL('../fixtures/discord/openapi.json', import.meta.url);
const COMPONENTS_ID = 'https://discord.test/openapi/components';

/** One schema problem: `where` is a JSON pointer into the checked value ('' = root). */
export interface SchemaIssue {
	where: string;
	keyword: string;
	message: string;
}

export interface RouteMatch {
	/** The spec's path template, e.g. `/webhooks/{webhook_id}/{webhook_token}/messages/@original`. */
	template: string;
	params: Record<string, string>;
}

export interface OpenApiValidator {
	/** Finds the spec operation for a path below `/api/v10` (segments already URL-decoded). */
	match(method: string, path: string): RouteMatch | undefined;
	/** Path-parameter problems, e.g. a non-snowflake id. */
	checkParams(method: string, route: RouteMatch): SchemaIssue[];
	/** Problems with a JSON request body (for multipart: the parsed payload_json). */
	checkBody(method: string, route: RouteMatch, body: unknown): SchemaIssue[];
	/** Problems with a response body of the given status (for self-checks of the stand-in). */
	checkResponse(method: string, route: RouteMatch, status: number, body: unknown): SchemaIssue[];
}

type Json = Record<string, unknown>;

interface CompiledPath {
	template: string;
	segments: string[];
	item: Json;
}

const isRecord = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads `obj.a.b.c`, returning undefined as soon as a step is not an object. */
function dig(obj: unknown, ...keys: string[]): unknown {
	let current = obj;
	for (const key of keys) {
		if (!isRecord(current)) return undefined;
		current = current[key];
	}
	return current;
}

const cache = new Map<string, OpenApiValidator>();

/** Spec location: DISCORD_OPENAPI_PATH, else the copy vendored in `test/fixtures/discord/`. */
export function defaultSpecPath(): string {
	return process.env.DISCORD_OPENAPI_PATH ?? fileURLToPath(DEFAULT_SPEC_URL);
}

/** Loads (once per file) and returns a validator; schemas compile lazily per operation. */
export function loadOpenApiValidator(specPath: string = defaultSpecPath()): OpenApiValidator {
	let validator = cache.get(specPath);
	if (!validator) {
		validator = createValidator(readSpec(specPath));
		cache.set(specPath, validator);
	}
	return validator;
}

function readSpec(specPath: string): unknown {
	try {
		return JSON.parse(readFileSync(specPath, 'utf8'));
	} catch (error) {
		throw new Error(`cannot read Discord's OpenAPI spec at ${specPath} (set DISCORD_OPENAPI_PATH): ${String(error)}`, {
			cause: error,
		});
	}
}

function createAjv(components: unknown): Ajv2020 {
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormatsModule.default(ajv);
	ajv.addFormat('snowflake', /^\d+$/);
	ajv.addFormat('nonce', true);
	// Annotation only: the spec marks anyOf unions that Discord treats as oneOf.
	ajv.addKeyword({ keyword: 'x-discord-union', schemaType: 'string' });
	ajv.addSchema({ $id: COMPONENTS_ID, components });
	return ajv;
}

/** Points local `#/components/...` refs at the registered components document. */
function rebase(schema: unknown): unknown {
	return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
		key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? COMPONENTS_ID + value : value,
	);
}

/** Literal segments beat `{param}` segments, left to right (so `@original` wins over `{message_id}`). */
function moreSpecific(a: CompiledPath, b: CompiledPath): number {
	for (let i = 0; i < a.segments.length; i++) {
		const aParam = a.segments[i]?.startsWith('{') ?? false;
		const bParam = b.segments[i]?.startsWith('{') ?? false;
		if (aParam !== bParam) return aParam ? 1 : -1;
	}
	return 0;
}

/**
 * Where Discord's documentation and the spec disagree, and Discord accepts what the docs say: the
 * spec is followed everywhere else. `default_member_permissions` is a permission bit set, "string"
 * in the docs (application-commands.mdx) and in discord-api-types (what discord.js sends), an
 * integer in the spec's request schemas; Discord takes both.
 */
function withDocumentedForms(components: unknown): unknown {
	const patched: unknown = JSON.parse(JSON.stringify(components ?? {}));
	for (const request of [
		'ApplicationCommandCreateRequest',
		'ApplicationCommandPatchRequestPartial',
		'ApplicationCommandUpdateRequest',
	]) {
		const properties = dig(patched, 'schemas', request, 'properties');
		if (!isRecord(properties) || properties.default_member_permissions === undefined) continue;
		properties.default_member_permissions = {
			anyOf: [properties.default_member_permissions, { type: 'string', pattern: '^[0-9]{1,20}$' }],
		};
	}
	return patched;
}

function createValidator(spec: unknown): OpenApiValidator {
	const ajv = createAjv(withDocumentedForms(dig(spec, 'components')));
	const specPaths = dig(spec, 'paths');
	const paths = Object.entries(isRecord(specPaths) ? specPaths : {}).flatMap(([template, item]): CompiledPath[] =>
		isRecord(item) ? [{ template, segments: template.split('/').slice(1), item }] : [],
	);
	const compiled = new Map<string, ValidateFunction>();

	const compile = (key: string, schema: unknown): ValidateFunction => {
		let validate = compiled.get(key);
		if (!validate) {
			validate = ajv.compile(rebase(schema) as Json);
			compiled.set(key, validate);
		}
		return validate;
	};
	const run = (key: string, schema: unknown, value: unknown): SchemaIssue[] => {
		const validate = compile(key, schema);
		return validate(value) ? [] : readable(validate.errors ?? []);
	};
	const itemOf = (template: string): Json => paths.find((p) => p.template === template)?.item ?? {};

	return {
		match(method, path) {
			const verb = method.toLowerCase();
			const segments = path.split('/').slice(1);
			const candidates = paths.filter(
				(p) =>
					isRecord(p.item[verb]) &&
					p.segments.length === segments.length &&
					p.segments.every((s, i) => s.startsWith('{') || s === segments[i]),
			);
			const best = candidates.sort(moreSpecific)[0];
			if (!best) return undefined;
			const params: Record<string, string> = {};
			best.segments.forEach((s, i) => {
				if (s.startsWith('{')) params[s.slice(1, -1)] = segments[i] ?? '';
			});
			return { template: best.template, params };
		},

		checkParams(method, route) {
			const item = itemOf(route.template);
			const declared = [dig(item, 'parameters'), dig(item, method.toLowerCase(), 'parameters')].flatMap((list) =>
				Array.isArray(list) ? list : [],
			);
			return declared.flatMap((param: unknown) => {
				const name = dig(param, 'name');
				if (dig(param, 'in') !== 'path' || typeof name !== 'string') return [];
				const issues = run(`${route.template}#${name}`, dig(param, 'schema'), route.params[name]);
				return issues.map((issue) => ({ ...issue, where: `/${name}${issue.where}` }));
			});
		},

		checkBody(method, route, body) {
			const verb = method.toLowerCase();
			const requestBody = dig(itemOf(route.template), verb, 'requestBody');
			if (!isRecord(requestBody)) return [];
			if (body === undefined) {
				return requestBody.required === true
					? [{ where: '', keyword: 'required', message: 'request body is required' }]
					: [];
			}
			const schema = dig(requestBody, 'content', 'application/json', 'schema');
			return schema === undefined ? [] : run(`${verb} ${route.template}`, schema, body);
		},

		checkResponse(method, route, status, body) {
			const verb = method.toLowerCase();
			const response = dig(itemOf(route.template), verb, 'responses', String(status));
			const schema = dig(response, 'content', 'application/json', 'schema');
			return schema === undefined ? [] : run(`${verb} ${route.template} ${status}`, schema, body);
		},
	};
}

// Keywords that mostly say "this union branch is the wrong one" rather than what is wrong.
const BRANCH_NOISE = new Set(['type', 'enum', 'const', 'required', 'additionalProperties', 'anyOf', 'oneOf', 'not']);
const MAX_ISSUES = 5;

/**
 * Ajv reports every failed branch of an anyOf/oneOf. When a union failed, keep the errors
 * that describe a broken constraint (maxItems, maxLength, pattern…) if there are any.
 */
function readable(errors: ErrorObject[]): SchemaIssue[] {
	const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
	// Most telling first: broken constraints, then everything but the union summaries, then all.
	const candidates = errors.some(isUnion)
		? [errors.filter((e) => !BRANCH_NOISE.has(e.keyword)), errors.filter((e) => !isUnion(e)), errors]
		: [errors];
	const chosen = candidates.find((list) => list.length > 0) ?? [];
	const seen = new Set<string>();
	return chosen
		.map((e) => ({ where: e.instancePath, keyword: e.keyword, message: e.message ?? e.keyword }))
		.filter((issue) => {
			const key = `${issue.where} ${issue.message}`;
			if (seen.has(key)) return false;
			seen.add(key);
			return true;
		})
		.slice(0, MAX_ISSUES);
}

/** `data/content must NOT have more than 2000 characters; …` (Ajv's errorsText style). */
export function describeIssues(issues: SchemaIssue[], root = 'data'): string {
	return issues.map((issue) => `${root}${issue.where} ${issue.message}`).join('; ');
}
