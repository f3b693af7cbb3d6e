import process from 'node:process';
import { parseModelLists } from '../config.js';
import { catalogMarkdown } from '../providers/describe.js';

// Prints the capability table for the README (a test keeps the two equal). With `<PROVIDER>_MODELS`
// set, it prints what this deployment offers: the listed models, in their order.
const { lists, problems } = parseModelLists(process.env);
if (problems.length > 0) {
	process.stderr.write(`${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
	process.exitCode = 1;
} else {
	process.stdout.write(`${catalogMarkdown(lists)}\n`);
}
