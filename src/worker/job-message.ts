import { progressButtons } from '../discord/components.js';
import {
	currentMessageOf,
	ReplyError,
	replyTargetOf,
	routeOf,
	type OutgoingMessage,
	type Replies,
	type ReplyTarget,
} from '../discord/replies.js';
import type { JobInteraction, ReplyRoute, VideoJob } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { JobRecords } from '../store/job-records.js';
import type { MessageEdits } from '../store/message-edits.js';
import { textsFor } from '../texts/index.js';
import { EditBudget, ProgressPacer } from './progress.js';

/** A job with a message: a clip's or a render's. */
export interface MessageJob {
	readonly data: { readonly interaction: JobInteraction; readonly reply?: ReplyRoute | undefined };
	save(patch: { reply: ReplyRoute }): Promise<void>;
}

/** What a job's message shows besides its states. */
export interface MessageLook {
	/** What the command's reply says once the job moved to a message of its own, given its link. */
	moved(jump: string): string;
	/** Under every passing state (a clip's Cancel). */
	readonly components: readonly unknown[];
}

/** A clip's look: its prompt in the pointer, Cancel under its states. */
export function clipLook(job: VideoJob): MessageLook {
	const texts = textsFor(job.data.interaction.locale);
	return {
		moved: (jump) => texts.moved({ prompt: job.data.request.prompt, model: job.data.model }, jump),
		components: progressButtons(job.data.interaction.id, texts),
	};
}

export interface JobMessageDeps {
	readonly replies: Replies;
	readonly edits: MessageEdits;
	readonly records: Pick<JobRecords, 'settlement'>;
	readonly progressIntervalMs: number;
}

/**
 * How long an edit's claim on a message holds if its process dies mid-edit: past Discord's
 * slowest upload and a rate-limit wait. The same job resumed elsewhere does not wait for it.
 */
const EDIT_LEASE_MS = 120_000;

/**
 * A job's message as its worker sees it: where it is now (saved on the job as it changes, so
 * another worker resumes on the same path), its share of the edit budget, and its passing states.
 */
export class JobMessage {
	/** Routes whose every edit takes its turn in the budget. */
	public readonly replies: Replies;
	private readonly budget: EditBudget;
	private readonly pacer: ProgressPacer;

	private constructor(
		private readonly job: MessageJob,
		private readonly deps: JobMessageDeps,
		private readonly logger: Logger,
		private readonly look: MessageLook,
	) {
		this.budget = new EditBudget(deps.edits, {
			intervalMs: deps.progressIntervalMs,
			holder: `job:${job.data.interaction.id}`,
			leaseMs: EDIT_LEASE_MS,
		});
		this.replies = deps.replies.withPace(this.budget.pace);
		this.pacer = new ProgressPacer(
			(content, signal) => this.showNow(content, signal),
			async (signal) => {
				const messageId = currentMessageOf(this.target);
				if (messageId !== undefined) await this.budget.ready(messageId, signal);
			},
			(error) => logger.warn({ err: error }, 'progress edit failed'),
		);
	}

	/** Opens the job's message, with what the bot may have learnt of its token while it waited. */
	public static async open(
		job: MessageJob,
		deps: JobMessageDeps,
		logger: Logger,
		look: MessageLook,
	): Promise<JobMessage> {
		if (job.data.reply?.tokenDead !== true && (await deps.edits.tokenDead(job.data.interaction.messageId))) {
			await job.save({ reply: { ...job.data.reply, tokenDead: true } });
		}
		return new JobMessage(job, deps, logger, look);
	}

	public get target(): ReplyTarget {
		return replyTargetOf(this.job.data);
	}

	/** What the command's reply says once the job moved to a message of its own. */
	public readonly pointer = (jump: string): OutgoingMessage => ({ content: this.look.moved(jump) });

	/** How every route change is made and saved: moves allowed, the reply pointed, each change saved at once. */
	public readonly routing = {
		mayMove: true,
		pointer: this.pointer,
		learn: (target: ReplyTarget) => this.adopt(target),
	};

	/** A passing state, shown in its turn unless a newer one comes first. */
	public show(content: string): void {
		this.pacer.show(content);
	}

	private async showNow(content: string, signal: AbortSignal): Promise<void> {
		// Another run of the job (this one lost its lock in a stall) may have ended it: a passing
		// state never covers its final word.
		if ((await this.deps.records.settlement(this.job.data.interaction.id)) !== undefined) return;
		const message = { content, components: this.look.components };
		try {
			const result = await this.replies.edit(this.target, message, { ...this.routing, signal });
			await this.adopt(result.target);
		} catch (error) {
			await this.adoptFrom(error);
			throw error;
		}
	}

	/** No more passing states: the final word is next. */
	public async supersede(): Promise<void> {
		await this.pacer.supersede();
	}

	/** The final text on the job's message (a failure, a cancellation): where it is, or anew. */
	public async say(message: OutgoingMessage): Promise<boolean> {
		await this.supersede();
		try {
			const result = await this.replies.say(this.target, message, this.routing);
			await this.adopt(result.target);
			return result.ok;
		} catch (error) {
			await this.adoptFrom(error);
			throw error;
		}
	}

	/**
	 * How the job ended (a failure, a cancellation), on its message; when that message is gone,
	 * privately while the token lives (a moderator removed it from the channel), else anew.
	 */
	public async tell(message: OutgoingMessage): Promise<void> {
		await this.supersede();
		try {
			const edited = await this.replies.edit(this.target, message, this.routing);
			await this.adopt(edited.target);
			if (edited.ok || edited.target.lost === undefined) return;
			if (await this.replies.tellPrivately(this.target, message)) return;
			await this.say(message);
		} catch (error) {
			await this.adoptFrom(error);
			throw error;
		}
	}

	/** Saves how the message is reached now, if that changed; the token's death is shared with every process. */
	public async adopt(target: ReplyTarget): Promise<void> {
		const before = this.target;
		const route = routeOf(target);
		if (JSON.stringify(routeOf(before)) === JSON.stringify(route)) return;
		await this.job.save({ reply: route });
		if (target.tokenDead === true && before.tokenDead !== true) {
			await this.deps.edits.markTokenDead(before.originalId);
			this.logger.warn('the interaction token was refused (401); the job goes on with the bot token');
		}
		if (target.movedTo !== before.movedTo) {
			this.logger.info({ messageId: target.movedTo }, 'the job moved to a channel message of its own');
		}
		if (target.lost !== undefined && before.lost === undefined) {
			this.logger.warn(
				{ lost: target.lost },
				'the job’s message is gone or refuses edits; the clip will be posted anew',
			);
		}
	}

	/** A failed call may still have taught something (a dead token, a gone message). */
	public async adoptFrom(error: unknown): Promise<void> {
		if (error instanceof ReplyError) await this.adopt(error.target);
	}
}
