import { catalogMarkdown } from '../providers/describe.js';

// Prints the capability table for the README (a test keeps the two equal).
process.stdout.write(`${catalogMarkdown()}\n`);
