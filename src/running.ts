/** What a started process (a bot, a worker) hands back: the way to stop it cleanly. */
export interface Running {
	close(): Promise<void>;
}
