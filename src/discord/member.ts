import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';
import type { RequiredPermission } from '../errors.js';

/**
 * What an interaction says about the member behind it. Permissions are read from the interaction
 * itself (`member.permissions`, computed by Discord for that channel), never from a cache, and
 * Administrator implies every other permission.
 */

/** The member's roles in the interaction's server, `@everyone` (the server's id) included. */
export function roleIdsOf(interaction: BaseInteraction): string[] {
	const { member, guildId } = interaction;
	if (member === null || guildId === null) return [];
	const roles = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
	return [...new Set([guildId, ...roles])];
}

/** True when the member holds `permission` (or Administrator) where the interaction happened. */
export function holds(interaction: BaseInteraction, permission: RequiredPermission): boolean {
	return interaction.memberPermissions?.has(PermissionFlagsBits[permission], true) ?? false;
}
