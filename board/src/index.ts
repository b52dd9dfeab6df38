export * from './model.ts';
export * from './reducer.ts';
export * from './replica.ts';
