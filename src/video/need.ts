import type { Need } from '../providers/plan.js';
import type { VideoRequest } from './request.js';

/** What a stored request asks of a model, for planning at enqueue time and at failover. */
export const needOf = (request: VideoRequest): Need => ({
	directed: request.directed,
	firstFrame: request.firstFrame !== undefined,
	lastFrame: request.lastFrame !== undefined,
	subject: request.subject !== undefined,
	duration: request.duration,
	resolution: request.resolution,
	model: request.model,
	imageTypes: [request.firstFrame, request.lastFrame, request.subject].flatMap((image) => (image ? [image.contentType] : [])),
});
