export const floorActivities = {
  /** Stands in for the carrier call, doing nothing, so only the engine's own cost remains. */
  async charge(): Promise<void> {},
};
export type FloorActivities = typeof floorActivities;
