import { z } from 'zod';

/** The field schemas every entity is made of. */

export const id = z.string().min(1);

/** UTC epoch milliseconds. */
export const time = z.int();
