import type {
	Asked,
	Change,
	DurationOffer,
	LimitReached,
	RequestProblem,
	BotPermission,
	RequiredPermission,
	SequenceProblem,
	Suggestion,
} from '../errors.js';
import { durationsText, type ModelCapabilities } from '../providers/catalog.js';
import { lengthCount, type Offer } from '../providers/offer.js';
import type { FailureClass } from '../failures.js';
import { CAMERA_MOVES } from '../video/camera.js';
import { MIN_DURATION } from '../video/request.js';
import type { BudgetView, QueueLine, QuotaTarget, Sentences } from './en.js';
import {
	clock,
	counted,
	listing,
	megabytes as formatMegabytes,
	plural,
	progressBar,
	echo,
	quote,
	relativeTime,
	type Elsewhere,
	type FinishedClip,
	type Progress,
	type RenderedFilm,
	type ShotLine,
	type SkippedShot,
} from './format.js';

/**
 * Every sentence a user reads, in French (Discord locale `fr`), addressing the user as « vous ».
 * Camera moves, option names and model names stay as the bot reads them: they are what people type.
 */

const duration = (ms: number): string => clock(ms, { minutes: ' min', seconds: ' s' });

const megabytes = (bytes: number): string => formatMegabytes(bytes, 'Mo', ',');

const decimal = (value: number): string => String(value).replace('.', ',');

const inBracket = (bracket: string | undefined) =>
	bracket === undefined ? '' : `Dans votre prompt, ${echo(bracket, 60)} : `;

/** Un nombre et son nom accordé (`0 vidéo`, `1 vidéo`, `2 vidéos`), selon les règles du français. */
const count = (n: number, one: string, other: string): string => counted('fr', n, { one, other });

/** Tout refus d’une demande se termine ainsi : rien n’a été pris sur le quota du membre. */
const QUOTA_UNTOUCHED = 'Cette demande n’a rien utilisé de votre quota.';

/** Toute tâche échouée ou annulée le dit : son unité de quota est revenue. */
const QUOTA_GIVEN_BACK = 'Je vous ai rendu votre quota.';

const ADMINS_TOLD = 'Les administrateurs du bot ont été prévenus.';

function asked(item: Asked): string {
	switch (item.kind) {
		case 'model':
			return `le modèle ${echo(item.model, 60)}`;
		case 'camera-moves':
			return 'des mouvements de caméra';
		case 'first-frame':
			return 'une image de départ';
		case 'last-frame':
			return 'une image de fin';
		case 'subject':
			return 'une image de sujet';
		case 'duration':
			return count(item.seconds, 'seconde', 'secondes');
		case 'resolution':
			return echo(item.resolution, 20);
		case 'ratio':
			return `le format ${item.ratio}`;
		case 'image-type':
			return `une image ${item.type}`;
	}
}

const CHANGES: Readonly<Record<Exclude<Change, 'other-duration'>, string>> = {
	'pick-model': 'me laisser choisir le modèle',
	'drop-camera': 'retirer les mouvements de caméra',
	'drop-subject': 'retirer l’image de sujet',
	'drop-last-frame': 'retirer l’image de fin',
	'drop-first-frame': 'retirer l’image de départ',
	'add-first-frame': 'ajouter une image de départ',
	'drop-resolution': 'ne pas préciser la résolution',
	'drop-ratio': 'ne pas préciser le format',
	'png-or-jpeg': 'envoyer des images PNG ou JPEG',
};

/** « 6 ou 10 s », « jusqu’à 15 s » (une plage qui part du minimum de l’option), « de 5 à 15 s ». */
function lengths(offer: DurationOffer): string {
	if (offer.kind === 'range')
		return offer.min <= MIN_DURATION ? `jusqu’à ${offer.max} s` : `de ${offer.min} à ${offer.max} s`;
	return `${listing(offer.seconds.map(String), 'ou')} s`;
}

const suggestion = (item: Suggestion): string =>
	item.change === 'other-duration'
		? `${lengths(item.durations)} avec ${item.model}`
		: `${CHANGES[item.change]} (${item.model})`;

function problemWords(problem: RequestProblem): string {
	switch (problem.kind) {
		case 'prompt-empty':
			return 'Votre prompt est vide. Décrivez la scène souhaitée, par exemple `un phare dans la tempête au crépuscule`.';
		case 'prompt-too-long':
			return `Votre prompt fait ${count(problem.length, 'caractère', 'caractères')} avec ses mouvements de caméra ; la limite est de ${problem.max}. Merci de le raccourcir.`;
		case 'camera-unknown':
			return `${inBracket(problem.bracket)}« ${echo(problem.item, 60)} » n’est pas un mouvement de caméra que je connais. ${
				problem.suggestion === undefined
					? `Choisissez parmi : ${CAMERA_MOVES.join(', ')}.`
					: `Vouliez-vous dire ${problem.suggestion} ?`
			}`;
		case 'camera-too-many':
			return `${inBracket(problem.bracket)}Cela fait ${count(problem.count, 'mouvement', 'mouvements')} de caméra ; ${problem.max} au plus ${plural('fr', problem.max, { one: 'peut être combiné', other: 'peuvent être combinés' })}. Placez les suivants dans un autre crochet, plus loin dans le prompt : il deviendra le plan suivant.`;
		case 'camera-duplicate':
			return `${inBracket(problem.bracket)}« ${echo(problem.item, 60)} » apparaît deux fois. Chaque mouvement ne peut servir qu’une fois par crochet.`;
		case 'camera-contradiction': {
			const [still, other] = problem.a === 'Static shot' ? [problem.a, problem.b] : [problem.b, problem.a];
			return still === 'Static shot'
				? `${inBracket(problem.bracket)}Static shot garde la caméra immobile : il ne peut pas être combiné avec ${other}.`
				: `${inBracket(problem.bracket)}${problem.a} et ${problem.b} emmènent la caméra dans des directions opposées : ils ne peuvent pas figurer dans le même crochet. Placez-en un dans un crochet suivant pour en faire le plan suivant.`;
		}
		case 'bracket-unclosed':
			return `Le « [ » au caractère ${problem.position} de votre prompt n’est jamais fermé : « ${echo(problem.excerpt, 120)} ». Essayez : « ${echo(problem.fix, 120)} ».`;
		case 'bracket-stray':
			return `Le « ] » au caractère ${problem.position} de votre prompt ne ferme aucun crochet : « ${echo(problem.excerpt, 120)} ». Essayez : « ${echo(problem.fix, 120)} ».`;
		case 'bracket-nested':
			return `Le « [ » au caractère ${problem.position} de votre prompt ouvre un crochet dans un autre : « ${echo(problem.excerpt, 120)} ». Un crochet ne peut pas en contenir un autre ; fermez le premier avant d’ouvrir le suivant, par exemple : « ${echo(problem.fix, 120)} ».`;
		case 'unservable': {
			const what = problem.asked.length > 0 ? ` avec ${listing(problem.asked.map(asked), 'et')}` : '';
			const fixes =
				problem.suggestions.length > 0
					? ` Ce qui fonctionnerait : ${listing(problem.suggestions.map(suggestion), 'ou')}.`
					: problem.models !== undefined
						? ` Les modèles proposés ici sont : ${problem.models.join(', ')}.`
						: '';
			return `${problem.provider} n’a aucun modèle capable de réaliser un clip${what}.${fixes}`;
		}
		case 'image-not-image':
			return `La pièce jointe \`${problem.option}\` doit être une image PNG, JPEG ou WebP.`;
		case 'image-too-large':
			return `L’image \`${problem.option}\` fait ${megabytes(problem.bytes)} ; la limite est de ${megabytes(problem.max)}.`;
		case 'image-unreadable':
			return `Je n’ai pas pu lire la pièce jointe \`${problem.option}\`. Merci de l’envoyer à nouveau.`;
		case 'image-too-small':
			return `L’image \`${problem.option}\` fait ${problem.width}×${problem.height} px ; son petit côté doit dépasser ${problem.min} px. Merci d’envoyer une image plus grande.`;
		case 'image-aspect': {
			const shape = problem.width > problem.height ? 'large' : 'haute';
			return `L’image \`${problem.option}\` fait ${problem.width}×${problem.height} px, elle est trop ${shape} : son grand côté doit mesurer moins de 2,5 fois son petit côté (un format entre 2:5 et 5:2). Merci de la recadrer et de l’envoyer à nouveau.`;
		}
		case 'image-too-many-pixels':
			return `L’image \`${problem.option}\` fait ${problem.width}×${problem.height} px, au-delà de la limite de ${decimal(problem.max / 1_000_000)} mégapixels. Merci de la réduire et de l’envoyer à nouveau.`;
		case 'image-gone':
			return 'Les images de ce clip ne sont plus conservées (elles sont gardées un jour). Lancez une nouvelle commande `/video` en les joignant.';
		case 'not-in-server':
			return 'Les vidéos ne peuvent être créées que dans un salon de serveur.';
		case 'attachment-host':
			return `La pièce jointe \`${problem.option}\` ne vient pas des serveurs de pièces jointes de Discord, je ne l’ai donc pas téléchargée. Merci de joindre le fichier à la commande elle-même.`;
		case 'attachment-unresolved':
			return `Discord ne m’a pas transmis la pièce jointe \`${problem.option}\` : plutôt qu’un clip sans elle, je n’ai rien créé. Merci de joindre à nouveau le fichier et de renvoyer la commande.`;
		case 'not-served':
			return problem.where === 'server-without-bot'
				? 'Ce serveur ne m’a pas ajouté, je ne peux donc pas y travailler (vous m’utilisez depuis vos propres applications). Un admin du serveur peut m’y ajouter ; d’ici là, utilisez-moi dans un serveur qui l’a fait.'
				: 'Je ne fonctionne que dans les salons d’un serveur qui m’a ajouté, pas en messages privés. Merci d’utiliser cette commande dans un tel serveur.';
		case 'quota-target':
			return 'Indiquez soit un membre (`user`), soit un rôle (`role`), l’un des deux. Rien n’a été modifié.';
		case 'quota-limit':
			return `\`limit\` doit être un nombre entier à partir de 0, ou \`default\` pour retirer le réglage ; « ${echo(problem.value, 40)} » n’est ni l’un ni l’autre. Rien n’a été modifié.`;
		case 'one-change':
			return '`clear:true` ne peut pas être combiné à une autre modification : envoyez-les en deux commandes. Rien n’a été modifié.';
	}
}

/** Les refus d’`/admin` disent « Rien n’a été modifié » : le quota d’un membre n’y est pas en jeu. */
const ADMIN_PROBLEMS: ReadonlySet<RequestProblem['kind']> = new Set(['quota-target', 'quota-limit', 'one-change']);

const requestProblem = (problem: RequestProblem): string =>
	ADMIN_PROBLEMS.has(problem.kind) ? problemWords(problem) : `${problemWords(problem)} ${QUOTA_UNTOUCHED}`;

const videos = (n: number) => plural('fr', n, { one: 'vidéo', other: 'vidéos' });

/** Dollars américains, au centime : `0,43 $`. */
const money = (usd: number): string => `${usd.toFixed(2).replace('.', ',')} $`;

const freesUp = (at: number | null, words: string) => (at === null ? '' : ` ${words} ${relativeTime(at)}.`);

function limitReached(limit: LimitReached): string {
	switch (limit.kind) {
		case 'waiting':
			return `Vous avez déjà ${limit.max} ${videos(limit.max)} en attente de démarrage, le maximum autorisé. Réessayez dès que l’une d’elles aura démarré. ${QUOTA_UNTOUCHED}`;
		case 'guild-clips':
			return `Le budget quotidien de ${limit.max} ${videos(limit.max)} de ce serveur est épuisé.${freesUp(limit.nextFreeAt, 'Une place se libère')} ${QUOTA_UNTOUCHED}`;
		case 'guild-dollars':
			return `Le budget quotidien de ${money(limit.maxUsd)} de ce serveur est épuisé.${freesUp(limit.nextFreeAt, 'De la marge se libère')} ${QUOTA_UNTOUCHED}`;
		case 'global':
			return `Le bot a atteint sa limite quotidienne de vidéos, pour tout le monde.${freesUp(limit.nextFreeAt, 'D’autres pourront être créées')} ${QUOTA_UNTOUCHED}`;
		case 'paused':
			return `La génération de vidéos est suspendue sur ce serveur par ses administrateurs. ${QUOTA_UNTOUCHED}`;
		case 'channel':
			return `Les vidéos ne peuvent être créées que dans ${listing(
				limit.allowed.map((id) => `<#${id}>`),
				'ou',
			)}. ${QUOTA_UNTOUCHED}`;
	}
}

const PERMISSIONS: Readonly<Record<RequiredPermission, string>> = { ManageGuild: 'Gérer le serveur' };

const missingPermission = (permission: RequiredPermission): string =>
	`Il vous faut la permission **${PERMISSIONS[permission]}** pour utiliser cette commande. Rien n’a été modifié.`;

const BOT_PERMISSIONS: Readonly<Record<BotPermission, string>> = {
	ViewChannel: 'Voir le salon',
	SendMessages: 'Envoyer des messages',
	SendMessagesInThreads: 'Envoyer des messages dans les fils',
	AttachFiles: 'Joindre des fichiers',
	ReadMessageHistory: 'Voir les anciens messages',
};

const missingBotPermissions = (channelId: string, missing: readonly BotPermission[]): string =>
	`Je ne peux pas livrer de clips dans <#${channelId}> : il me faut ${missing.length === 1 ? 'la permission' : 'les permissions'} ${listing(
		missing.map((permission) => `**${BOT_PERMISSIONS[permission]}**`),
		'et',
	)} dans ce salon. Un admin du serveur peut ${missing.length === 1 ? 'me l’accorder' : 'me les accorder'} dans les paramètres du salon (Permissions). ${QUOTA_UNTOUCHED}`;

const shortPrompt = (prompt: string): string => echo(prompt.replace(/\s+/g, ' '), 60);

const admin: Sentences['admin'] = {
	quotaSet: (target: QuotaTarget, limit: number) =>
		target.kind === 'user'
			? `<@${target.id}> peut désormais créer **${limit}** ${videos(limit)} sur 24 heures glissantes sur ce serveur, quels que soient ses rôles.`
			: `Les membres ayant <@&${target.id}> peuvent désormais créer **${limit}** ${videos(limit)} sur 24 heures glissantes, sauf si un autre de leurs rôles permet davantage ou s’ils ont leur propre réglage.`,
	quotaCleared: (target: QuotaTarget, fallback: number) =>
		target.kind === 'user'
			? `<@${target.id}> n’a plus de réglage propre : ses rôles décident, sinon la valeur par défaut de ${fallback} ${videos(fallback)}.`
			: `<@&${target.id}> ne fixe plus de limite.`,
	budget(view: BudgetView, changed: boolean) {
		const parts = [
			view.clips === null
				? undefined
				: `**${view.clips} ${videos(view.clips)}**${view.fromDefault ? ' (valeur par défaut du bot)' : ''}`,
			view.dollars === null ? undefined : `**${money(view.dollars)}**`,
		].filter((part) => part !== undefined);
		const used = `${view.usedClips} ${videos(view.usedClips)} et ${money(view.usedUsd)} (les vidéos pas encore terminées comptent à leur prix prévu)`;
		const head = changed ? 'Enregistré. ' : '';
		return parts.length === 0
			? `${head}Ce serveur n’a pas de budget : seul le quota de chaque membre le limite. Utilisé sur les dernières 24 heures : ${used}.`
			: `${head}Budget de ce serveur sur 24 heures glissantes : ${listing(parts, 'et')}. Utilisé jusqu’ici : ${used}.`;
	},
	paused:
		'⏸️ La génération de vidéos est suspendue sur ce serveur. Les vidéos déjà chez le fournisseur se terminent et sont publiées ; celles en attente restent dans la file jusqu’à `/admin resume`.',
	resumed: '▶️ La génération de vidéos reprend sur ce serveur ; les vidéos en attente redémarrent.',
	channels: (ids: readonly string[]) =>
		ids.length === 0
			? 'Les vidéos peuvent être créées dans tous les salons de ce serveur.'
			: `Les vidéos ne peuvent être créées que dans ${listing(
					ids.map((id) => `<#${id}>`),
					'et',
				)}.`,
	reportTitle: (days: number) => `Utilisation sur ${count(days, 'jour', 'jours')}, aujourd’hui compris`,
	reportGenerations: 'Générations',
	reportCost: 'Coût',
	reportCostValue: (usd: number, unpriced: number) =>
		unpriced === 0 ? money(usd) : `${money(usd)} (+ ${unpriced} ${videos(unpriced)} sans prix connu)`,
	reportTopUsers: 'Principaux utilisateurs',
	reportTopUser: (userId: string, clips: number, usd: number) =>
		`<@${userId}> : ${clips} ${videos(clips)}, ${money(usd)}`,
	reportNone: 'Aucune vidéo n’a été publiée sur cette période.',
	reportFile: 'Une ligne par membre et par jour (UTC) ; coûts en dollars américains.',
	auditTitle: 'Dernières modifications faites avec /admin sur ce serveur, des plus récentes aux plus anciennes',
	auditNone: 'Aucune modification n’a encore été faite avec /admin sur ce serveur.',
};

const queue: Sentences['queue'] = {
	title: (everyone: boolean) =>
		everyone ? 'Toutes les vidéos en attente ou en cours sur ce serveur :' : 'Vos vidéos en attente ou en cours :',
	none: (everyone: boolean) =>
		everyone
			? 'Aucune vidéo n’est en attente ou en cours sur ce serveur.'
			: 'Vous n’avez aucune vidéo en attente ou en cours.',
	line: (line: QueueLine) =>
		`${line.position === null ? '**en cours**' : `**#${line.position}** dans la file`} · « ${shortPrompt(line.prompt)} »${
			line.userId === undefined ? '' : ` par <@${line.userId}>`
		}`,
	more: (count: number) => `… et ${count} de plus.`,
};

function quotaExceeded(error: { readonly limit: number; readonly nextFreeAt: number | null }): string {
	if (error.limit === 0)
		return `La génération de vidéos vous est fermée ici : votre limite est de 0 vidéo sur 24 heures glissantes. ${QUOTA_UNTOUCHED}`;
	const next =
		error.nextFreeAt === null ? '' : ` Votre prochaine vidéo sera disponible ${relativeTime(error.nextFreeAt)}.`;
	return `Vous avez utilisé ${count(error.limit, 'vidéo', 'vidéos')}, toute votre limite des dernières 24 heures.${next} ${QUOTA_UNTOUCHED}`;
}

function quotaStatus(status: { remaining: number; limit: number; nextFreeAt: number | null }): string {
	const count = `${status.remaining} ${videos(status.remaining)} sur ${status.limit}`;
	const left = `Il vous reste **${count}** sur une période glissante de 24 heures.`;
	if (status.nextFreeAt === null) return left;
	return `${left} La prochaine sera disponible ${relativeTime(status.nextFreeAt)}.`;
}

function queued(progress: Progress, position: number): string {
	const where = position <= 1 ? 'Vous êtes en tête de file.' : `Position **#${position}** dans la file.`;
	return `🎬 En file d’attente. ${where}\n${quote(progress.prompt)}`;
}

function submitted(progress: Progress): string {
	return `🎬 Demande envoyée à **${progress.model}**. En attente du service vidéo…\n${quote(progress.prompt)}`;
}

function generating(progress: Progress, elapsedMs: number, phase: 'queued' | 'generating', etaMs?: number): string {
	const what = phase === 'queued' ? 'En file d’attente chez le service vidéo' : 'Génération';
	const head = `🎬 ${what} sur **${progress.model}**… depuis ${duration(elapsedMs)}`;
	if (etaMs === undefined) return `${head}.\n${quote(progress.prompt)}`;
	const left = etaMs - elapsedMs;
	const remaining = left > 0 ? `encore environ ${duration(left)}` : 'c’est presque fini';
	return `${head}, ${remaining}.\n${progressBar(elapsedMs / etaMs)}\n${quote(progress.prompt)}`;
}

function uploading(progress: Progress): string {
	return `📤 Envoi du clip…\n${quote(progress.prompt)}`;
}

function fitting(progress: Progress, limit: number): string {
	return `🎞️ Réencodage du clip pour respecter la limite d’envoi de ${megabytes(limit)} de ce serveur…\n${quote(progress.prompt)}`;
}

function facts(clip: FinishedClip): string {
	const length = clip.seconds === undefined ? [] : [`${Math.round(clip.seconds)} s`];
	const cost = clip.costUsd === undefined ? [] : [money(clip.costUsd)];
	return [`**${clip.provider}**`, `**${clip.model}**`, ...length, ...cost].join(' · ');
}

const cameraLine = (clip: FinishedClip): string => (clip.camera.length > 0 ? `\n🎥 ${clip.camera.join(', ')}` : '');

function done(clip: FinishedClip, userId: string): string {
	return `✅ <@${userId}>, votre clip est prêt : ${facts(clip)}, réalisé en ${duration(clip.elapsedMs)}.${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

function tooLargeToUpload(clip: FinishedClip, userId: string, url: string, limit: number): string {
	return (
		`✅ <@${userId}>, votre clip est prêt : ${facts(clip)}. Il ne peut pas tenir dans la limite d’envoi de ${megabytes(limit)} de ce serveur avec une qualité regardable : ` +
		`voici donc le lien du service vidéo (il expire en quelques heures) : ${url}${cameraLine(clip)}\n${quote(clip.prompt)}`
	);
}

function moved(progress: Progress, jump: string): string {
	return `⏩ La suite de ce clip se passe dans un nouveau message : ${jump}\n${quote(progress.prompt)}`;
}

const reached = (how: Elsewhere): string =>
	[
		how.dm ? 'Je vous l’ai envoyé en message privé.' : '',
		how.privately === true ? 'Je vous l’ai envoyé dans un message visible uniquement par vous.' : '',
		how.link === undefined ? '' : `Vous pouvez le regarder ici : ${how.link}`,
	]
		.filter((part) => part !== '')
		.join(' ');

function cannotAttach(channelId: string, how: Elsewhere): string {
	const next = how.dm || how.link !== undefined ? reached(how) : 'Le voici, visible uniquement par vous.';
	return `Je n’ai pas le droit de joindre des fichiers dans <#${channelId}> : je n’ai donc pas pu y publier votre clip. Un administrateur du serveur peut m’accorder la permission **Joindre des fichiers** dans ce salon. ${next}`;
}

function doneElsewhere(clip: FinishedClip, userId: string, how: Elsewhere): string {
	return `✅ <@${userId}>, votre clip est prêt : ${facts(clip)}. Je n’ai pas le droit de joindre des fichiers dans ce salon (un administrateur du serveur peut m’accorder la permission **Joindre des fichiers**). ${reached(how)}${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

function directClip(clip: FinishedClip, jump: string): string {
	return `🎬 Votre clip venu de ${jump} : ${facts(clip)}.${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

const failures: Readonly<Record<FailureClass, string>> = {
	'rejected': 'Le service vidéo a refusé la demande, qu’il juge invalide.',
	'safety-input': 'Le filtre de sécurité du service vidéo a refusé le prompt ou l’image.',
	'safety-output': 'Le filtre de sécurité du service vidéo a refusé la vidéo générée.',
	'auth': 'Le service vidéo n’a pas accepté la clé de ce bot. Ses administrateurs doivent la vérifier.',
	'credits':
		'Le compte du bot auprès du service vidéo est épuisé. Les administrateurs du bot doivent le réapprovisionner.',
	'rate-limited': 'Le service vidéo est trop sollicité en ce moment.',
	'unavailable': 'Le service vidéo rencontre des difficultés en ce moment.',
	'network': 'Le service vidéo est injoignable.',
	'malformed': 'Le service vidéo a donné une réponse que je n’ai pas pu comprendre.',
	'generation-failed': 'Le service vidéo n’a pas pu réaliser ce clip.',
	'task-cancelled': 'Le service vidéo a annulé ce clip avant de le terminer.',
	'task-expired': 'Le service vidéo a laissé expirer ce clip avant de le réaliser.',
	'link-expired':
		'Le clip a été réalisé, mais son lien de téléchargement avait expiré et le service vidéo n’en a pas fourni un valide à temps.',
	'timed-out': 'Le service vidéo a mis trop de temps à réaliser ce clip.',
	'too-large': 'Le clip obtenu dépasse la limite d’envoi de ce serveur.',
	'outcome-unknown':
		'La demande au service vidéo a été interrompue, ou sa réponse était illisible : je ne peux donc pas savoir si elle a été reçue. Pour ne pas la faire deux fois, je ne l’ai pas renvoyée.',
	'source-unreadable': 'Je n’ai pas pu lire le clip que celui-ci prolonge, ni donc prendre sa dernière image.',
	'undeliverable': 'Discord a refusé que le clip soit publié ici.',
	'internal': 'Un problème est survenu pendant la création de votre clip.',
};

function failedBecause(reason: string, progress: Progress, adminsTold = false): string {
	return `❌ ${reason}${adminsTold ? ` ${ADMINS_TOLD}` : ''} ${QUOTA_GIVEN_BACK}\n${quote(progress.prompt)}`;
}

function help(settings: { quota: number; offer: Offer }): string {
	const { offer } = settings;
	const images = [
		offer.firstFrame ? '`first_frame` fait démarrer le clip sur votre image' : undefined,
		offer.lastFrame ? '`last_frame` le fait se terminer sur une autre' : undefined,
		offer.subject ? '`subject` met en scène un personnage' : undefined,
	].filter((part) => part !== undefined);
	const choices = [
		lengthCount(offer.durations) > 1 ? `\`duration:\` (${lengths(offer.durations)})` : undefined,
		offer.resolutions.length > 1 ? `\`resolution:\` (${listing(offer.resolutions, 'ou')})` : undefined,
		offer.ratios.length > 0 ? `\`ratio:\` (${listing(offer.ratios, 'ou')})` : undefined,
	].filter((part) => part !== undefined);
	const several = offer.models.length > 1;
	return [
		'**🎬 clapper** crée de courts clips vidéo par IA que vous réalisez. `/video prompt:…` en lance un ; le MP4 terminé est publié en réponse.',
		...(offer.camera
			? [
					'',
					'**Mouvements de caméra** (jusqu’à 3 dans un même crochet, exécutés ensemble) :',
					'`Truck left/right` `Pan left/right` `Push in` `Pull out` `Pedestal up/down` `Tilt up/down` `Zoom in/out` `Shake` `Tracking shot` `Static shot`',
					'Les termes de tournage anglais fonctionnent aussi : dolly in → Push in, crane up → Pedestal up, handheld → Shake, follow → Tracking shot.',
					'• `camera:` ouvre le clip : `camera: Truck left, Pan right, Zoom in`',
					'• Des crochets placés à différents endroits sont des plans qui se suivent : `Un ours salue [Pedestal up], puis se détourne [Zoom out]`',
					'• Des mouvements opposés dans un crochet (Pan left et Pan right, Static shot et un autre) sont refusés.',
				]
			: []),
		...(images.length > 0
			? [
					'',
					`**Images :** ${images.join(' ; ')}. PNG, JPEG ou WebP, jusqu’à 20 Mo, petit côté de plus de 300 px, format entre 2:5 et 5:2.`,
				]
			: []),
		'',
		[
			`**${several ? 'Modèles' : 'Modèle'} :** ${offer.models.join(', ')}.`,
			several ? ' Sans `model:`, le premier capable de tout ce que vous demandez est utilisé.' : '',
			choices.length > 0 ? ` ${listing(choices, 'et')} s’appliquent selon le modèle.` : '',
			offer.cameraProse ? ' Les modèles qui lisent la caméra en prose la reçoivent en phrases.' : '',
		].join(''),
		'',
		'**Boutons :** Annuler pendant la génération ; sous un clip, Réessayer (mêmes réglages), Prolonger (le plan suivant part de sa dernière image), Remixer (modifier le prompt et la caméra), Supprimer.',
		'',
		`**Quota :** ${count(settings.quota, 'vidéo', 'vidéos')} par personne sur 24 heures glissantes, sauf si ce serveur fixe une autre limite pour vous ou vos rôles ; \`/quota\` indique la vôtre et ce qu’il vous reste, \`/queue\` votre place dans la file. Une tâche échouée ou annulée vous rend sa vidéo. Les clips sont réalisés par ${offer.provider}.`,
	].join('\n');
}

function modelTraits(model: ModelCapabilities): string {
	const frames = {
		none: 'texte seul',
		optional: 'image de départ facultative',
		required: 'image de départ requise',
	}[model.firstFrame];
	const parts = [
		frames,
		model.lastFrame ? 'image de fin' : undefined,
		model.subject ? 'sujet' : undefined,
		model.camera ? 'mouvements de caméra' : undefined,
		`${durationsText(model, '/')} s`,
		model.resolutions.join('/'),
	].filter((part) => part !== undefined);
	return parts.join(', ');
}

const plans = (n: number) => plural('fr', n, { one: 'plan', other: 'plans' });

function sequenceProblem(problem: SequenceProblem): string {
	switch (problem.kind) {
		case 'none-active':
			return 'Il n’y a pas de séquence dans ce salon. Commencez-en une avec `/sequence start title:…`.';
		case 'already-active':
			return `Ce salon a déjà une séquence, **${echo(problem.title)}**. Elle doit être close (\`/sequence end\`) avant qu’une autre commence ici. Rien n’a été publié.`;
		case 'not-allowed': {
			const who = `la personne qui a lancé la séquence (<@${problem.ownerId}>) ou un membre ayant la permission **Gérer le serveur**`;
			if (problem.action === 'remove')
				return `Seule ${who}, ou l’auteur du plan lui-même, peut retirer un plan. Rien n’a été modifié.`;
			return `Seule ${who} peut ${problem.action === 'move' ? 'déplacer les plans' : 'clore la séquence'}. Rien n’a été modifié.`;
		}
		case 'no-shot':
			return problem.count === 0
				? `Il n’y a pas de plan ${problem.shot} : la séquence n’a encore aucun plan. Rien n’a été modifié.`
				: `Il n’y a pas de plan ${problem.shot} : les plans sont numérotés de 1 à ${problem.count} (voir \`/sequence shots\`). Rien n’a été modifié.`;
		case 'empty':
			return `**${echo(problem.title)}** n’a encore aucun plan : il n’y a rien à assembler. Ajoutez d’abord des clips avec leur bouton **Ajouter à la séquence**.`;
		case 'full':
			return `**${echo(problem.title)}** compte déjà ${problem.max} ${plans(problem.max)}, le maximum pour une séquence. Retirez-en un d’abord. Rien n’a été ajouté.`;
		case 'already-in':
			return `Ce clip est déjà le plan ${problem.position} de **${echo(problem.title)}**. Rien n’a été modifié.`;
		case 'board-refused':
			return 'Je n’ai pas pu publier le tableau de la séquence dans ce salon : il me faut les permissions **Voir le salon** et **Envoyer des messages** ici. Rien n’a été lancé.';
		case 'title-empty':
			return 'Le titre est vide. Donnez un nom à la séquence, par exemple `title: Le phare`.';
		case 'no-image':
			return `Ce message n’a pas d’image PNG, JPEG ou WebP à animer. ${QUOTA_UNTOUCHED}`;
		case 'message-gone':
			return `Je ne peux plus lire ce message (il a peut-être été supprimé) : il n’y a pas d’image à animer. ${QUOTA_UNTOUCHED}`;
	}
}

const SKIPPED: Readonly<Record<SkippedShot['reason'], string>> = {
	'deleted': 'son message a été supprimé',
	'no-clip': 'son message ne contient plus le clip',
	'download': 'son clip n’a pas pu être téléchargé',
	'unreadable': 'son clip n’a pas pu être lu',
};

const skipped = (list: readonly SkippedShot[]): string =>
	list.map((shot) => `Plan ${shot.position} ignoré : ${SKIPPED[shot.reason]}.`).join('\n');

const TRANSITIONS: Readonly<Record<RenderedFilm['transition'], string>> = {
	cut: 'des coupes franches',
	crossfade: 'des fondus enchaînés',
};

const sequence: Sentences['sequence'] = {
	started: (title, board) =>
		`🎬 **${echo(title)}** commence dans ce salon. Son tableau : ${board}. Tout le monde peut y ajouter un clip créé ici avec son bouton **Ajouter à la séquence**.`,
	added: (title, position) => `➕ Ajouté comme plan ${position} de **${echo(title)}**.`,
	moved: (title, from, to) =>
		`↕️ Le plan ${from} de **${echo(title)}** est maintenant le plan ${to} ; les autres gardent leur ordre.`,
	removed: (title, position) =>
		`➖ Le plan ${position} a quitté **${echo(title)}** ; les plans suivants remontent d’un rang.`,
	ended: (title, count) =>
		`🏁 **${echo(title)}** est close avec ${count} ${plans(count)}. Son tableau reste ; \`/sequence start\` peut lancer une autre séquence ici.`,
	listingHead: (title, count) => `🎬 **${echo(title)}** : ${count} ${plans(count)}, dans l’ordre.`,
	noShots: 'Aucun plan pour l’instant. Ajoutez un clip créé dans ce salon avec son bouton **Ajouter à la séquence**.',
	shotLine: (line: ShotLine) => `**${line.position}.** <@${line.authorId}> « ${line.prompt} » ${line.link}`,
	boardHead: (title, ownerId) =>
		`🎬 **${echo(title)}**, une séquence lancée par <@${ownerId}>. Ajoutez un clip créé ici avec son bouton **Ajouter à la séquence** ; \`/sequence render\` assemble les plans en un seul film.`,
	boardEnded: (title, ownerId) =>
		`🏁 **${echo(title)}**, une séquence lancée par <@${ownerId}>, est close. Sa liste finale de plans :`,
	boardCount: (count) => `${count} ${plans(count)}`,
	renderQueued: (title, count, transition, workerRunning) =>
		`🎞️ Montage de **${echo(title)}** en file : ${count} ${plans(count)}, raccordés par ${TRANSITIONS[transition]}.${
			workerRunning ? '' : ' Aucun worker ne tourne en ce moment : le montage commencera dès qu’il y en aura un.'
		}`,
	renderReading: (title, shot, count) => `🎞️ Montage de **${echo(title)}** : lecture du plan ${shot} sur ${count}…`,
	renderStitching: (title, fraction) =>
		`🎞️ Montage de **${echo(title)}** : assemblage des plans… ${progressBar(fraction)}`,
	renderUploading: (title) => `📤 Envoi de **${echo(title)}**…`,
	renderDone: (film: RenderedFilm) =>
		[
			`🎬 **${echo(film.title)}** : ${film.shots} ${plans(film.shots)}, ${Math.round(film.seconds)} s, raccordés par ${TRANSITIONS[film.transition]}.`,
			`Plans de ${listing(
				film.authors.map((id) => `<@${id}>`),
				'et',
			)}.`,
			...(film.skipped.length === 0 ? [] : [skipped(film.skipped)]),
		].join('\n'),
	renderNothing: (title, list) =>
		`❌ Il ne reste rien à assembler de **${echo(title)}** : rien n’a été publié.\n${skipped(list)}`,
	renderFailed: (title, failure) =>
		`❌ Le montage de **${echo(title)}** a échoué : ${
			{
				'too-large': 'le film ne peut pas tenir dans la limite d’envoi de ce serveur avec une qualité regardable.',
				'undeliverable': 'Discord a refusé de publier le film ici.',
				'internal': 'un problème est survenu de mon côté. Merci de réessayer dans un instant.',
			}[failure]
		}`,
	renderMoved: (title, jump) => `⏩ Le montage de **${echo(title)}** continue dans un nouveau message : ${jump}`,
};

export const fr: Sentences = {
	duration,
	megabytes,
	requestProblem,
	asked,
	suggestion,
	quotaExceeded,
	quotaStatus,
	money,
	limitReached,
	missingPermission,
	missingBotPermissions,
	lostInRestart: `⚠️ Cette demande a été perdue au redémarrage du bot, avant d’entrer dans la file. ${QUOTA_UNTOUCHED} Merci de la renvoyer.`,
	admin,
	queue,
	sequenceProblem,
	sequence,
	queueUnavailable: `La file d’attente des vidéos est indisponible pour le moment : rien n’a été mis en file. ${QUOTA_UNTOUCHED} Merci de réessayer dans une minute.`,
	unexpected: (ref?: string) =>
		`Un problème est survenu de mon côté. ${QUOTA_UNTOUCHED} Merci de réessayer dans un instant.${
			ref === undefined ? '' : ` Si cela se reproduit, donnez cette référence aux administrateurs du bot : \`${ref}\`.`
		}`,
	unrecognised: `Je n’ai pas compris cette demande — elle vient peut-être d’un ancien message. Essayez \`/help\`. ${QUOTA_UNTOUCHED}`,
	quotaUntouched: QUOTA_UNTOUCHED,
	quotaGivenBack: QUOTA_GIVEN_BACK,
	noWorker: (adminsTold: boolean): string =>
		`Aucun worker vidéo ne tourne en ce moment : votre vidéo n’a pas été mise en file. ${QUOTA_UNTOUCHED}${adminsTold ? ` ${ADMINS_TOLD}` : ''} Merci de réessayer plus tard.`,
	queued,
	submitted,
	generating,
	uploading,
	fitting,
	done,
	tooLargeToUpload,
	moved,
	cannotAttach,
	doneElsewhere,
	directClip,
	failures,
	failedBecause,
	buttonLabels: {
		cancel: 'Annuler',
		retry: 'Réessayer',
		extend: 'Prolonger',
		remix: 'Remixer',
		delete: 'Supprimer',
		add: 'Ajouter à la séquence',
	},
	modalTitle: (action) => (action === 'remix' ? 'Remixer ce clip' : 'Prolonger depuis la dernière image'),
	animateModalTitle: 'Animer cette image',
	modalPromptLabel: 'Prompt',
	modalCameraLabel: 'Mouvements de caméra (3 au maximum)',
	notYours: (action) =>
		`Seule la personne qui a créé ce clip, ou un administrateur du serveur, peut ${action === 'delete' ? 'le supprimer' : 'l’annuler'}. Rien n’a été modifié.`,
	clipUnknown: `Je n’ai plus les détails de ce clip (ils sont conservés 7 jours) : ce bouton ne peut plus être utilisé. ${QUOTA_UNTOUCHED}`,
	alreadyFinished: 'Cette tâche est déjà terminée : il n’y a plus rien à annuler.',
	cancelled: (progress, byUserId) => `🛑 Annulé par <@${byUserId}>. ${QUOTA_GIVEN_BACK}\n${quote(progress.prompt)}`,
	cancelling: (progress) => `🛑 Annulation…\n${quote(progress.prompt)}`,
	help,
	popularHere: (moves) => `${moves} (populaire ici)`,
	modelTraits,
	commands: {
		video: {
			description: 'Réalisez un court clip vidéo par IA',
			options: {
				prompt: 'Ce qui se passe dans le clip. Des crochets comme [Pan left] dirigent la caméra à cet endroit.',
				camera: 'Jusqu’à 3 mouvements de caméra qui ouvrent le clip, ex. Truck left, Pan right, Zoom in',
				first_frame: 'Une image de départ pour le clip (PNG, JPEG ou WebP)',
				last_frame: 'Une image sur laquelle le clip se termine (modèles compatibles)',
				subject: 'Une image de référence d’un personnage à faire figurer dans le clip',
				model: 'Un modèle précis ; par défaut, le bot en choisit un adapté à vos options',
				duration: 'Durée en secondes ; chaque modèle fait une partie des durées proposées ici',
				resolution: 'Résolution de sortie, quand le modèle propose un choix',
				ratio: 'Format d’un clip sans image de départ, ex. 9:16 pour les téléphones (modèles compatibles)',
				prompt_optimizer: 'Laisser le modèle réécrire le prompt pour la qualité (sinon, réglage du fournisseur)',
			},
		},
		quota: { description: 'Combien de vidéos il vous reste, et quand la prochaine sera disponible' },
		help: {
			description: 'Ce que fait le bot, un aide-mémoire des mouvements de caméra et le fonctionnement des quotas',
		},
		queue: { description: 'Vos vidéos en attente ou en cours, et leur place dans la file' },
		admin: {
			description: 'Réglages vidéo de ce serveur : quotas, budget, pause, salons, utilisation, historique',
			quota: {
				description: 'Fixer la limite quotidienne de vidéos d’un membre ou d’un rôle',
				user: 'Le membre dont fixer la limite',
				role: 'Le rôle dont fixer la limite (un membre obtient la plus grande de ses rôles)',
				limit: 'Vidéos sur 24 heures glissantes (nombre entier), ou « default » pour retirer le réglage',
			},
			budget: {
				description: 'Afficher ou fixer le budget de ce serveur sur 24 heures glissantes',
				generations: 'Vidéos sur 24 heures glissantes pour tout le serveur',
				dollars: 'Dollars américains sur 24 heures glissantes pour tout le serveur',
				clear: 'Retirer le budget (retour à la valeur par défaut du bot)',
			},
			pause: { description: 'Suspendre la génération de vidéos sur ce serveur' },
			resume: { description: 'Reprendre la génération de vidéos sur ce serveur' },
			channels: {
				description: 'Afficher ou modifier les salons où les vidéos peuvent être créées',
				allow: 'Autoriser les vidéos dans ce salon',
				remove: 'Ne plus autoriser les vidéos dans ce salon',
				clear: 'Autoriser à nouveau les vidéos dans tous les salons',
			},
			report: {
				description: 'Utilisation et coût de ce serveur : un résumé et un fichier CSV',
				days: 'Nombre de jours couverts, aujourd’hui compris (de 1 à 90, 7 par défaut)',
			},
			audit: { description: 'Les 25 dernières modifications faites avec /admin sur ce serveur' },
		},
		sequence: {
			description: 'Construisez un film ensemble dans ce salon : réunir, ordonner et monter des plans',
			start: {
				description: 'Faire de ce salon une séquence que vous lancez, et publier son tableau',
				title: 'Le titre du film',
			},
			shots: { description: 'Lister les plans de la séquence de ce salon, dans l’ordre' },
			move: {
				description: 'Déplacer un plan (la personne qui a lancé la séquence ou Gérer le serveur)',
				from: 'Le numéro du plan sur le tableau',
				to: 'Son nouveau numéro',
			},
			remove: {
				description: 'Retirer un plan (qui a lancé la séquence, Gérer le serveur, ou l’auteur du plan)',
				shot: 'Le numéro du plan sur le tableau',
			},
			render: {
				description: 'Assembler les plans en un seul film, publié dans ce salon',
				transition: 'Comment les plans se raccordent : coupe franche (par défaut) ou fondu de 0,5 s',
				cut: 'Coupe franche',
				crossfade: 'Fondu enchaîné (0,5 s)',
			},
			end: { description: 'Clore la séquence de ce salon (qui l’a lancée ou Gérer le serveur)' },
		},
		animate: { name: 'Animer' },
	},
};
