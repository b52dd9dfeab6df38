export * from './errors.ts';
export * from './media.ts';
export * from './events.ts';
export * from './http.ts';
export * from './interaction.ts';
export * from './board.ts';
export * from './time.ts';
export * from './serial.ts';
