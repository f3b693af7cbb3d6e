import { ProviderError } from '../../src/providers/errors.js';
import type { SubmitInput, TaskStatus, VideoProvider } from '../../src/providers/types.js';

/** Submits and returns the task id, for providers that answer with a task to poll. */
export async function submitTask(provider: VideoProvider, input: SubmitInput): Promise<string> {
	const submission = await provider.submit(input);
	if (submission.kind !== 'task') throw new Error('expected a task');
	return submission.taskId;
}

/** Polls until the task is no longer pending. */
export async function untilDone(provider: VideoProvider, taskId: string, everyMs = 30): Promise<TaskStatus> {
	for (;;) {
		const status = await provider.poll(taskId);
		if (status.state !== 'pending') return status;
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

/** The ProviderError a call rejects with; anything else fails the test. */
export async function failureOf(run: () => Promise<unknown>): Promise<ProviderError> {
	try {
		await run();
	} catch (error) {
		if (error instanceof ProviderError) return error;
		throw error;
	}
	throw new Error('expected a ProviderError');
}
