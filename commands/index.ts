import type { Command } from '../src/discord/command.js';
import admin from './admin.js';
import help from './help.js';
import queue from './queue.js';
import quota from './quota.js';
import video from './video.js';

/** Every slash command, listed explicitly so the list is type-checked and nothing is globbed. */
export const commands: readonly Command[] = [video, quota, queue, help, admin];
