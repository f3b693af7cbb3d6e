import { z } from 'zod';
import { TRANSITIONS } from '../media/stitch.js';
import { PROVIDER_NAMES } from '../providers/types.js';
import { videoRequestSchema } from '../video/request.js';

const snowflake = z.string().regex(/^\d{1,20}$/);

/**
 * How the job's message is reached now, saved the moment it changes so a worker that resumes the
 * job goes on the same way (`src/discord/replies.ts` decides).
 */
export const replyRouteSchema = z.object({
	/** The interaction token answered 401/50027: it is never used again for this job. */
	tokenDead: z.boolean().optional(),
	/** The channel message (bot token) the job moved to and now edits. */
	movedTo: snowflake.optional(),
	/**
	 * The message the job edited is gone (10008) or refuses edits (30046, `stale`: it is still
	 * there): the clip is posted anew, and a stale message removed.
	 */
	lost: z.object({ messageId: snowflake, stale: z.boolean() }).optional(),
});

export type ReplyRoute = z.infer<typeof replyRouteSchema>;

/** The command a job answers: where, for whom, and how its reply is reached. */
export const jobInteractionSchema = z.object({
	id: snowflake,
	applicationId: snowflake,
	/** Valid 15 minutes from `createdAt`: a short-lived secret, never logged. */
	token: z.string().min(1),
	channelId: snowflake,
	guildId: snowflake.nullable(),
	userId: snowflake,
	locale: z.string(),
	createdAt: z.number(),
	/** The deferred reply, for delivery with the bot token once the interaction token expires. */
	messageId: snowflake,
	attachmentSizeLimit: z.number().int().positive(),
});

export type JobInteraction = z.infer<typeof jobInteractionSchema>;

/**
 * Set before a file's first upload: a worker that finds it set after a crash looks for the file in
 * the channel before uploading it again.
 */
const deliverySchema = z
	.object({ startedAt: z.number(), fileName: z.string().min(1) })
	.nullable()
	.optional();

/** A video job as it travels through the queue; parsed when enqueued and again when picked up. */
export const videoJobSchema = z.object({
	v: z.literal(1),
	interaction: jobInteractionSchema,
	request: videoRequestSchema,
	/** The provider and model now in charge; they change when a job fails over. */
	provider: z.enum(PROVIDER_NAMES),
	model: z.string(),
	/** Providers given up on for this job, with why, so none is tried twice. */
	failedOver: z.array(z.object({ provider: z.enum(PROVIDER_NAMES), failure: z.string() })).default([]),
	enqueuedAt: z.number(),
	/** When a worker first started it: the queue wait ends there. */
	startedAt: z.number().nullable().optional(),
	/** Set just before the provider's create call: a crash in that call leaves the outcome unknown. */
	submittingAt: z.number().nullable().optional(),
	/** Stored the moment the create call returns; a restarted worker polls it and never re-submits. */
	task: z
		.object({ id: z.string().min(1), submittedAt: z.number() })
		.nullable()
		.optional(),
	reply: replyRouteSchema.optional(),
	delivery: deliverySchema,
});

export type VideoJobData = z.infer<typeof videoJobSchema>;

/** A shot as the render reads it: its place on the board, its author, and where its clip is. */
export const renderShotSchema = z.object({
	position: z.number().int().positive(),
	clipId: snowflake,
	authorId: snowflake,
	channelId: snowflake,
	messageId: snowflake,
});

export type RenderShot = z.infer<typeof renderShotSchema>;

/**
 * A sequence's render, on the same queue as clips: the shots in board order when it was asked
 * for (each clip is read again from its message when the render runs), how they join, and how
 * the reply is reached. No provider and no quota take part.
 */
export const renderJobSchema = z.object({
	v: z.literal(1),
	kind: z.literal('render'),
	interaction: jobInteractionSchema,
	sequenceId: snowflake,
	title: z.string().min(1).max(100),
	transition: z.enum(TRANSITIONS),
	shots: z.array(renderShotSchema).min(1),
	enqueuedAt: z.number(),
	reply: replyRouteSchema.optional(),
	delivery: deliverySchema,
});

export type RenderJobData = z.infer<typeof renderJobSchema>;
