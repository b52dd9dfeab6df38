import type { Handle } from '@sveltejs/kit/hooks';
import { langCookie, parseLang } from '#lib/i18n/index.ts';

/** Renders the language the visitor chose (cookie), so the first paint is already right. */
export const handle: Handle = ({ event, resolve }) => {
  const lang = parseLang(event.cookies.get(langCookie));
  event.locals.lang = lang;
  return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', lang) });
};
