/**
 * How fast an order is recharged (快充 / 慢充): a fast order within minutes,
 * a slow one within a day, through cheaper channels, at its own price.
 * Workflow-safe: no Node imports.
 */
export const SPEEDS = ['fast', 'slow'] as const;
export type Speed = (typeof SPEEDS)[number];
