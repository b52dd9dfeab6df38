export * from './outline.ts';
export * from './paint.ts';
export * from './view.ts';
