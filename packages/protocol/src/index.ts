export * from './messages.js';
export * from './close-codes.js';
export * from './pad-id.js';
export * from './wire.js';
export const TEXT_NAME = 'content';
export * from './presence.js';
