import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILURE_POLICY, type FailureClass } from '../../src/failures.js';
import { catalogMarkdown } from '../../src/providers/describe.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

describe('README', () => {
	it('prints the capability table exactly as the code has it (regenerate with npm run catalog)', () => {
		const block = /<!-- catalog:start -->\n([\s\S]*?)\n<!-- catalog:end -->/.exec(readme)?.[1];
		expect(block).toBe(catalogMarkdown());
	});

	it('states the failure policy exactly as src/failures.ts decides it, for every class', () => {
		const rows = readme.slice(readme.indexOf('| failure class |'), readme.indexOf('A new class does not compile'));
		const seen = new Set<string>();
		for (const line of rows
			.split('\n')
			.slice(2)
			.filter((row) => row.startsWith('|'))) {
			const [classes = '', retried, failsOver, alerted, refunded] = line
				.split('|')
				.slice(1)
				.map((cell) => cell.trim());
			for (const failure of [...classes.matchAll(/`([a-z-]+)`/g)].map((match) => match[1] as FailureClass)) {
				const policy = FAILURE_POLICY[failure];
				expect(policy, failure).toBeDefined();
				seen.add(failure);
				expect([retried, failsOver, refunded], failure).toEqual(
					[policy.retry, policy.failOver, policy.refund].map((on) => (on ? 'yes' : 'no')),
				);
				expect(alerted === 'no', failure).toBe(policy.alert === null);
				if (policy.alert !== null) expect(alerted, failure).toContain(policy.alert.scope);
			}
		}
		expect([...seen].sort()).toEqual(Object.keys(FAILURE_POLICY).sort());
	});

	it('documents every variable of .env.example in its configuration table', () => {
		const variables = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? '');
		expect(variables.length).toBeGreaterThan(20);
		const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Processes'));
		for (const variable of variables) expect(configuration, variable).toContain(`\`${variable}\``);
	});
});
