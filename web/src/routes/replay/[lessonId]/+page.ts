/** The replay plays in the browser only (video, canvas, the classroom's token kept by the tab). */
export const ssr = false;
