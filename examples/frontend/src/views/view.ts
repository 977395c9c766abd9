/** A screen on show: the router disposes of it (its subscriptions, its timers) on leaving. */
export interface View {
  dispose(): void;
}
