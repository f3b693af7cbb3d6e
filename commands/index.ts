import type { Command, MessageCommand } from '../src/discord/command.js';
import admin from './admin.js';
import animate from './animate.js';
import help from './help.js';
import queue from './queue.js';
import quota from './quota.js';
import sequence from './sequence.js';
import video from './video.js';

/** Every slash command, listed explicitly so the list is type-checked and nothing is globbed. */
export const commands: readonly Command[] = [video, quota, queue, help, admin, sequence];

/** Every message command (a message's context menu), registered with the slash commands. */
export const messageCommands: readonly MessageCommand[] = [animate];
