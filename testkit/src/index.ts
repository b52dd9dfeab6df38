export * from './client.ts';
export * from './liveLesson.ts';
export * from './media.ts';
export * from './ports.ts';
export * from './process.ts';
export * from './redis.ts';
export * from './roster.ts';
export * from './rtp.ts';
