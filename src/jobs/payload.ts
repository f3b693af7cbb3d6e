import { z } from 'zod';
import { PROVIDER_NAMES } from '../providers/types.js';
import { videoRequestSchema } from '../video/request.js';

const snowflake = z.string().regex(/^\d{1,20}$/);

/** A video job as it travels through the queue; parsed when enqueued and again when picked up. */
export const videoJobSchema = z.object({
	v: z.literal(1),
	interaction: z.object({
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
	}),
	request: videoRequestSchema,
	/** The provider and model now in charge; they change when a job fails over. */
	provider: z.enum(PROVIDER_NAMES),
	model: z.string(),
	/** Providers given up on for this job, with why, so none is tried twice. */
	failedOver: z.array(z.object({ provider: z.enum(PROVIDER_NAMES), failure: z.string() })).default([]),
	enqueuedAt: z.number(),
	/** Set just before the provider's create call: a crash in that call leaves the outcome unknown. */
	submittingAt: z.number().nullable().optional(),
	/** Stored the moment the create call returns; a restarted worker polls it and never re-submits. */
	task: z
		.object({ id: z.string().min(1), submittedAt: z.number() })
		.nullable()
		.optional(),
});

export type VideoJobData = z.infer<typeof videoJobSchema>;
