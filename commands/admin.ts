import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	ChannelType,
	InteractionContextType,
	MessageFlags,
	PermissionFlagsBits,
	type APIApplicationCommandBasicOption,
	type APIApplicationCommandSubcommandOption,
	type ApplicationCommandOptionAllowedChannelType,
	type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command, CommandContext } from '../src/discord/command.js';
import { InvalidRequestError } from '../src/errors.js';
import { budgetOf } from '../src/generation/policy.js';
import { buildReport } from '../src/generation/report.js';
import { MICROS_PER_USD } from '../src/store/quota.js';
import { described, textsFor, type Texts } from '../src/texts/index.js';

/**
 * `/admin`: a server's own limits and the view of what it spent. Registered for members with
 * Manage Server, and checked again when it runs (`requires`). Every change is written to the
 * audit log with who made it and when, as the subcommand and options it was typed with; reading
 * (`budget` and `channels` without options, `report`, `audit`) changes nothing and is not logged.
 */

type Admin = Texts['commands']['admin'];

const subcommand = (
	name: keyof Omit<Admin, 'description'>,
	options: APIApplicationCommandBasicOption[] = [],
): APIApplicationCommandSubcommandOption => ({
	type: ApplicationCommandOptionType.Subcommand,
	name,
	...described((texts) => texts.commands.admin[name].description),
	...(options.length === 0 ? {} : { options }),
});

const option = <T extends Exclude<keyof Admin, 'description'>>(
	command: T,
	name: Exclude<keyof Admin[T], 'description'> & string,
) => ({
	name,
	...described((texts) => (texts.commands.admin[command] as unknown as Record<string, string>)[name] ?? ''),
});

const CHANNELS: ApplicationCommandOptionAllowedChannelType[] = [
	ChannelType.GuildText,
	ChannelType.GuildAnnouncement,
	ChannelType.GuildVoice,
	ChannelType.GuildForum,
];

/** Days `/admin report` covers by default. */
const REPORT_DAYS = 7;

/** The most a member or role limit may be set to: USER_DAILY_QUOTA's own ceiling. */
const MAX_LIMIT = 10_000;

function parseLimit(value: string): number | null {
	const trimmed = value.trim();
	if (trimmed.toLowerCase() === 'default') return null;
	const limit = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
	if (!Number.isSafeInteger(limit) || limit > MAX_LIMIT)
		throw new InvalidRequestError({ kind: 'quota-limit', value: value.slice(0, 40) });
	return limit;
}

/** Answers privately; nothing an admin sees here pings anyone. */
async function answer(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
	await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

interface Run {
	readonly interaction: ChatInputCommandInteraction<'cached' | 'raw'>;
	readonly context: CommandContext;
	readonly texts: Texts;
	readonly guildId: string;
	/** Writes a change to the audit log. */
	readonly audited: (change: string) => Promise<void>;
}

async function quota({ interaction, context, texts, guildId, audited }: Run): Promise<void> {
	const user = interaction.options.getUser('user');
	const role = interaction.options.getRole('role');
	if ((user === null) === (role === null)) throw new InvalidRequestError({ kind: 'quota-target' });
	const limit = parseLimit(interaction.options.getString('limit', true));
	const target = user === null ? { kind: 'role' as const, id: role?.id ?? '' } : { kind: 'user' as const, id: user.id };
	await context.guilds.setLimit(guildId, target.kind, target.id, limit);
	const mention = target.kind === 'user' ? `<@${target.id}>` : `<@&${target.id}>`;
	await audited(`quota ${mention} limit:${limit ?? 'default'}`);
	await answer(
		interaction,
		limit === null
			? texts.admin.quotaCleared(target, context.config.userDailyQuota)
			: texts.admin.quotaSet(target, limit),
	);
}

async function budget({ interaction, context, texts, guildId, audited }: Run): Promise<void> {
	const generations = interaction.options.getInteger('generations');
	const dollars = interaction.options.getNumber('dollars');
	const clear = interaction.options.getBoolean('clear') === true;
	if (clear && (generations !== null || dollars !== null)) throw new InvalidRequestError({ kind: 'one-change' });
	const changed = clear || generations !== null || dollars !== null;
	if (clear) {
		await context.guilds.setBudget(guildId, 'clear');
		await audited('budget clear:true');
	} else if (changed) {
		await context.guilds.setBudget(guildId, {
			...(generations === null ? {} : { generations }),
			...(dollars === null ? {} : { dollars }),
		});
		const parts = [
			generations === null ? '' : ` generations:${generations}`,
			dollars === null ? '' : ` dollars:${dollars}`,
		];
		await audited(`budget${parts.join('')}`);
	}
	const [settings, usage] = await Promise.all([context.guilds.get(guildId), context.quota.guildUsage(guildId)]);
	const current = budgetOf(settings, context.config.guildDailyBudget);
	await answer(
		interaction,
		texts.admin.budget({ ...current, usedClips: usage.clips, usedUsd: usage.micros / MICROS_PER_USD }, changed),
	);
}

async function pause({ interaction, context, texts, guildId, audited }: Run): Promise<void> {
	await context.guilds.pause(guildId, interaction.user.id, Date.now());
	await audited('pause');
	await answer(interaction, texts.admin.paused);
}

async function resume({ interaction, context, texts, guildId, audited }: Run): Promise<void> {
	await context.guilds.resume(guildId);
	await audited('resume');
	// Jobs put aside while paused start now rather than at their next look.
	await context.jobs
		.wake((data) => data.interaction.guildId === guildId)
		.catch((error: unknown) => context.logger.warn({ err: error, guildId }, 'could not wake paused jobs'));
	await answer(interaction, texts.admin.resumed);
}

async function channels({ interaction, context, texts, guildId, audited }: Run): Promise<void> {
	const allow = interaction.options.getChannel('allow');
	const remove = interaction.options.getChannel('remove');
	const clear = interaction.options.getBoolean('clear') === true;
	if (clear && (allow !== null || remove !== null)) throw new InvalidRequestError({ kind: 'one-change' });
	if (clear) {
		await context.guilds.clearChannels(guildId);
		await audited('channels clear:true');
	}
	if (remove !== null) {
		await context.guilds.removeChannel(guildId, remove.id);
		await audited(`channels remove <#${remove.id}>`);
	}
	if (allow !== null) {
		await context.guilds.allowChannel(guildId, allow.id);
		await audited(`channels allow <#${allow.id}>`);
	}
	await answer(interaction, texts.admin.channels((await context.guilds.get(guildId)).channels));
}

async function report({ interaction, context, texts, guildId }: Run): Promise<void> {
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	const days = interaction.options.getInteger('days') ?? REPORT_DAYS;
	const usage = buildReport(await context.ledger.rows(guildId, days, Date.now()), days);
	const usd = (micros: number) => micros / MICROS_PER_USD;
	const top = usage.top.map((user) => texts.admin.reportTopUser(user.userId, user.clips, usd(user.micros)));
	await interaction.editReply({
		embeds: [
			{
				title: texts.admin.reportTitle(days),
				fields: [
					{ name: texts.admin.reportGenerations, value: String(usage.clips), inline: true },
					{
						name: texts.admin.reportCost,
						value: texts.admin.reportCostValue(usd(usage.micros), usage.unpriced),
						inline: true,
					},
					{ name: texts.admin.reportTopUsers, value: top.length === 0 ? texts.admin.reportNone : top.join('\n') },
				],
			},
		],
		files: [{ attachment: Buffer.from(usage.csv), name: `usage-${days}d.csv`, description: texts.admin.reportFile }],
		allowedMentions: { parse: [] },
	});
}

async function audit({ interaction, context, texts, guildId }: Run): Promise<void> {
	const entries = await context.audit.latest(guildId, 25);
	if (entries.length === 0) return answer(interaction, texts.admin.auditNone);
	const lines = entries.map((entry) => `<t:${Math.floor(entry.at / 1000)}:f> <@${entry.by}> ${entry.change}`);
	await interaction.reply({
		embeds: [{ title: texts.admin.auditTitle, description: lines.join('\n') }],
		flags: MessageFlags.Ephemeral,
		allowedMentions: { parse: [] },
	});
}

const RUN = { quota, budget, pause, resume, channels, report, audit } as const;

export default {
	requires: 'ManageGuild',
	data: {
		name: 'admin',
		...described((texts) => texts.commands.admin.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
		default_member_permissions: String(PermissionFlagsBits.ManageGuild),
		options: [
			subcommand('quota', [
				{ type: ApplicationCommandOptionType.String, ...option('quota', 'limit'), required: true, max_length: 20 },
				{ type: ApplicationCommandOptionType.User, ...option('quota', 'user') },
				{ type: ApplicationCommandOptionType.Role, ...option('quota', 'role') },
			]),
			subcommand('budget', [
				{
					type: ApplicationCommandOptionType.Integer,
					...option('budget', 'generations'),
					min_value: 0,
					max_value: 1_000_000,
				},
				{
					type: ApplicationCommandOptionType.Number,
					...option('budget', 'dollars'),
					min_value: 0,
					max_value: 1_000_000,
				},
				{ type: ApplicationCommandOptionType.Boolean, ...option('budget', 'clear') },
			]),
			subcommand('pause'),
			subcommand('resume'),
			subcommand('channels', [
				{ type: ApplicationCommandOptionType.Channel, ...option('channels', 'allow'), channel_types: CHANNELS },
				{ type: ApplicationCommandOptionType.Channel, ...option('channels', 'remove'), channel_types: CHANNELS },
				{ type: ApplicationCommandOptionType.Boolean, ...option('channels', 'clear') },
			]),
			subcommand('report', [
				{ type: ApplicationCommandOptionType.Integer, ...option('report', 'days'), min_value: 1, max_value: 90 },
			]),
			subcommand('audit'),
		],
	},

	async execute(interaction, context) {
		if (!interaction.inGuild()) throw new InvalidRequestError({ kind: 'not-in-server' });
		const name = interaction.options.getSubcommand(true);
		if (!(name in RUN)) throw new Error(`unknown subcommand ${name}; is \`npm run deploy\` out of date?`);
		const { guildId } = interaction;
		const by = interaction.user.id;
		const logger = context.logger.child({ interactionId: interaction.id, guildId, userId: by, subcommand: name });
		const run: Run = {
			interaction,
			context,
			texts: textsFor(interaction.locale),
			guildId,
			audited: async (change) => {
				await context.audit.record(guildId, { at: Date.now(), by, change });
				logger.info({ change }, 'admin change');
			},
		};
		await RUN[name as keyof typeof RUN](run);
	},
} satisfies Command;
