/**
 * The only module that knows BullMQ: the payload, the queue (enqueue, positions, cancel, state)
 * and the worker side (a narrow job handle that can save, hand back and postpone).
 */
export { createDashboard, type Dashboard } from './dashboard.js';
export {
	jobInteractionSchema,
	renderJobSchema,
	replyRouteSchema,
	videoJobSchema,
	type JobInteraction,
	type RenderJobData,
	type RenderShot,
	type ReplyRoute,
	type VideoJobData,
} from './payload.js';
export { jobIdOf, jobLogFields, renderJobIdOf, VIDEO_QUEUE, VideoJobs, type JobState, type Waiting } from './queue.js';
export {
	HandedBackError,
	isHandOver,
	PermanentJobError,
	PostponedError,
	startVideoWorker,
	type RenderJob,
	type VideoJob,
	type VideoWorker,
	type VideoWorkerOptions,
} from './worker.js';
