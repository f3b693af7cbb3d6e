import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogMarkdown } from '../../src/providers/describe.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

describe('README', () => {
	it('prints the capability table exactly as the code has it (regenerate with npm run catalog)', () => {
		const block = /<!-- catalog:start -->\n([\s\S]*?)\n<!-- catalog:end -->/.exec(readme)?.[1];
		expect(block).toBe(catalogMarkdown());
	});

	it('documents every variable of .env.example in its configuration table', () => {
		const variables = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? '');
		expect(variables.length).toBeGreaterThan(20);
		const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Processes'));
		for (const variable of variables) expect(configuration, variable).toContain(`\`${variable}\``);
	});
});
