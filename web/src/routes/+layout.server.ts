import type { ServerLoad } from '@sveltejs/kit';
import type { Lang } from '#lib/i18n/index.ts';

export const load: ServerLoad = ({ locals }): { lang: Lang } => ({ lang: locals.lang });
