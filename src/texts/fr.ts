import type { Asked, Change, RequestProblem, Suggestion } from '../errors.js';
import type { ModelCapabilities } from '../providers/catalog.js';
import type { FailureClass } from '../failures.js';
import { CAMERA_MOVES } from '../video/camera.js';
import type { Sentences } from './en.js';
import {
	clock,
	listing,
	megabytes as formatMegabytes,
	progressBar,
	quote,
	relativeTime,
	type Elsewhere,
	type FinishedClip,
	type Progress,
} from './format.js';

/**
 * Every sentence a user reads, in French (Discord locale `fr`), addressing the user as « vous ».
 * Camera moves, option names and model names stay as the bot reads them: they are what people type.
 */

const duration = (ms: number): string => clock(ms, { minutes: ' min', seconds: ' s' });

const megabytes = (bytes: number): string => formatMegabytes(bytes, 'Mo', ',');

const decimal = (value: number): string => String(value).replace('.', ',');

const inBracket = (bracket: string | undefined) => (bracket === undefined ? '' : `Dans votre prompt, ${bracket} : `);

function asked(item: Asked): string {
	switch (item.kind) {
		case 'model':
			return `le modèle ${item.model}`;
		case 'camera-moves':
			return 'des mouvements de caméra';
		case 'first-frame':
			return 'une image de départ';
		case 'last-frame':
			return 'une image de fin';
		case 'subject':
			return 'une image de sujet';
		case 'duration':
			return `${item.seconds} secondes`;
		case 'resolution':
			return item.resolution;
		case 'image-type':
			return `une image ${item.type}`;
	}
}

const CHANGES: Readonly<Record<Change, string>> = {
	'pick-model': 'me laisser choisir le modèle',
	'drop-camera': 'retirer les mouvements de caméra',
	'drop-subject': 'retirer l’image de sujet',
	'drop-last-frame': 'retirer l’image de fin',
	'drop-first-frame': 'retirer l’image de départ',
	'add-first-frame': 'ajouter une image de départ',
	'drop-duration': 'ne pas préciser la durée',
	'drop-resolution': 'ne pas préciser la résolution',
	'png-or-jpeg': 'envoyer des images PNG ou JPEG',
};

const suggestion = (item: Suggestion): string => `${CHANGES[item.change]} (${item.model})`;

function requestProblem(problem: RequestProblem): string {
	switch (problem.kind) {
		case 'prompt-empty':
			return 'Votre prompt est vide. Décrivez la scène souhaitée, par exemple `un phare dans la tempête au crépuscule`.';
		case 'prompt-too-long':
			return `Votre prompt fait ${problem.length} caractères avec ses mouvements de caméra ; la limite est de ${problem.max}. Merci de le raccourcir.`;
		case 'camera-unknown':
			return `${inBracket(problem.bracket)}« ${problem.item} » n’est pas un mouvement de caméra que je connais. ${
				problem.suggestion === undefined
					? `Choisissez parmi : ${CAMERA_MOVES.join(', ')}.`
					: `Vouliez-vous dire ${problem.suggestion} ?`
			}`;
		case 'camera-too-many':
			return `${inBracket(problem.bracket)}Cela fait ${problem.count} mouvements de caméra ; ${problem.max} au plus peuvent être combinés. Placez les suivants dans un autre crochet, plus loin dans le prompt : il deviendra le plan suivant.`;
		case 'camera-duplicate':
			return `${inBracket(problem.bracket)}« ${problem.item} » apparaît deux fois. Chaque mouvement ne peut servir qu’une fois par crochet.`;
		case 'camera-contradiction': {
			const [still, other] = problem.a === 'Static shot' ? [problem.a, problem.b] : [problem.b, problem.a];
			return still === 'Static shot'
				? `${inBracket(problem.bracket)}Static shot garde la caméra immobile : il ne peut pas être combiné avec ${other}.`
				: `${inBracket(problem.bracket)}${problem.a} et ${problem.b} emmènent la caméra dans des directions opposées : ils ne peuvent pas figurer dans le même crochet. Placez-en un dans un crochet suivant pour en faire le plan suivant.`;
		}
		case 'unservable': {
			const what = problem.asked.length > 0 ? ` avec ${listing(problem.asked.map(asked), 'et')}` : '';
			const fixes =
				problem.suggestions.length > 0
					? ` Ce qui fonctionnerait : ${listing(problem.suggestions.map(suggestion), 'ou')}.`
					: problem.models !== undefined
						? ` Ses modèles sont : ${problem.models.join(', ')}.`
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
	}
}

const videos = (count: number) => (count <= 1 ? 'vidéo' : 'vidéos');

function quotaExceeded(error: { readonly limit: number; readonly nextFreeAt: number | null }): string {
	if (error.limit === 0) return 'La génération de vidéos est désactivée pour les utilisateurs de ce bot.';
	const next =
		error.nextFreeAt === null ? '' : ` Votre prochaine vidéo sera disponible ${relativeTime(error.nextFreeAt)}.`;
	const all = error.limit === 1 ? 'votre vidéo' : `vos ${error.limit} vidéos`;
	return `Vous avez utilisé ${all} des dernières 24 heures.${next} Rien n’a été facturé.`;
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
	return [`**${clip.provider}**`, `**${clip.model}**`, ...length].join(' · ');
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
	'credits': 'Le compte du service vidéo n’a plus de crédits. Les administrateurs du bot doivent le recharger.',
	'rate-limited': 'Le service vidéo est trop sollicité en ce moment.',
	'unavailable': 'Le service vidéo rencontre des difficultés en ce moment.',
	'network': 'Le service vidéo est injoignable.',
	'malformed': 'Le service vidéo a donné une réponse que je n’ai pas pu comprendre.',
	'generation-failed': 'Le service vidéo n’a pas pu réaliser ce clip.',
	'timed-out': 'Le service vidéo a mis trop de temps à réaliser ce clip.',
	'too-large': 'Le clip obtenu dépasse la limite d’envoi de ce serveur.',
	'outcome-unknown':
		'La demande au service vidéo a été interrompue avant sa réponse : je ne peux donc pas savoir si elle a été reçue. Pour éviter de payer deux fois, je ne l’ai pas renvoyée ; les administrateurs du bot ont été prévenus.',
	'source-unreadable': 'Je n’ai pas pu lire le clip que celui-ci prolonge, ni donc prendre sa dernière image.',
	'undeliverable': 'Discord a refusé que le clip soit publié ici.',
	'internal': 'Un problème est survenu pendant la création de votre clip.',
};

function failedBecause(reason: string, progress: Progress): string {
	return `❌ ${reason} Votre quota vous a été rendu.\n${quote(progress.prompt)}`;
}

function help(settings: { quota: number; provider: string }): string {
	return [
		'**🎬 clapper** crée de courts clips vidéo par IA dont vous êtes le réalisateur. `/video prompt:…` en lance un ; le MP4 terminé est publié en réponse.',
		'',
		'**Mouvements de caméra** (jusqu’à 3 dans un même crochet, exécutés ensemble) :',
		'`Truck left/right` `Pan left/right` `Push in` `Pull out` `Pedestal up/down` `Tilt up/down` `Zoom in/out` `Shake` `Tracking shot` `Static shot`',
		'Les termes de tournage anglais fonctionnent aussi : dolly in → Push in, crane up → Pedestal up, handheld → Shake, follow → Tracking shot.',
		'• `camera:` ouvre le clip : `camera: Truck left, Pan right, Zoom in`',
		'• Des crochets placés à différents endroits sont des plans qui se suivent : `Un ours salue [Pedestal up], puis se détourne [Zoom out]`',
		'• Des mouvements opposés dans un même crochet (Pan left avec Pan right, Static shot avec tout autre) sont refusés.',
		'',
		'**Images :** `first_frame` fait démarrer le clip sur votre image ; `last_frame` le fait se terminer sur une autre (Hailuo-02) ; `subject` met en scène un personnage. PNG, JPEG ou WebP, jusqu’à 20 Mo, petit côté de plus de 300 px, format entre 2:5 et 5:2.',
		'',
		'**Boutons :** Annuler pendant la génération ; sous un clip, Réessayer (mêmes réglages), Prolonger (le plan suivant part de sa dernière image), Remixer (modifier le prompt et la caméra), Supprimer.',
		'',
		`**Quota :** ${settings.quota} ${videos(settings.quota)} par personne sur 24 heures glissantes ; \`/quota\` indique ce qu’il vous reste. Une tâche échouée ou annulée ne compte pas. Les clips sont réalisés par ${settings.provider}.`,
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
		`${model.durations.join('/')} s`,
		model.resolutions.join('/'),
	].filter((part) => part !== undefined);
	return parts.join(', ');
}

export const fr: Sentences = {
	duration,
	megabytes,
	requestProblem,
	asked,
	suggestion,
	quotaExceeded,
	quotaStatus,
	queueUnavailable:
		'La file d’attente des vidéos est indisponible pour le moment : rien n’a été mis en file ni facturé. Merci de réessayer dans une minute.',
	unexpected: 'Un problème est survenu de mon côté et rien n’a été facturé. Merci de réessayer dans un instant.',
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
	buttonLabels: { cancel: 'Annuler', retry: 'Réessayer', extend: 'Prolonger', remix: 'Remixer', delete: 'Supprimer' },
	modalTitle: (action) => (action === 'remix' ? 'Remixer ce clip' : 'Prolonger depuis la dernière image'),
	modalPromptLabel: 'Prompt',
	modalCameraLabel: 'Mouvements de caméra (3 au maximum)',
	notYours: (action) =>
		`Seule la personne qui a créé ce clip, ou un administrateur du serveur, peut ${action === 'delete' ? 'le supprimer' : 'l’annuler'}. Rien n’a été modifié.`,
	clipUnknown:
		'Je n’ai plus les détails de ce clip (ils sont conservés 7 jours) : ce bouton ne peut plus être utilisé.',
	alreadyFinished: 'Cette tâche est déjà terminée : il n’y a plus rien à annuler.',
	cancelled: (progress, byUserId) =>
		`🛑 Annulé par <@${byUserId}>. Votre quota vous a été rendu.\n${quote(progress.prompt)}`,
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
				last_frame: 'Une image sur laquelle le clip se termine (modèles compatibles, ex. Hailuo-02)',
				subject: 'Une image de référence d’un personnage à faire figurer dans le clip',
				model: 'Un modèle précis ; par défaut, le bot en choisit un adapté à vos options',
				duration: 'Durée en secondes (6, sauf si le modèle propose davantage)',
				resolution: 'Résolution de sortie, quand le modèle propose un choix',
				prompt_optimizer: 'Laisser le modèle réécrire le prompt pour la qualité (sinon, réglage du fournisseur)',
			},
			seconds: (seconds) => `${seconds} secondes`,
		},
		quota: { description: 'Combien de vidéos il vous reste, et quand la prochaine sera disponible' },
		help: {
			description: 'Ce que fait le bot, un aide-mémoire des mouvements de caméra et le fonctionnement des quotas',
		},
	},
};
