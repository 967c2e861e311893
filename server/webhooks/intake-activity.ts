/**
 * Counts webhook requests in progress so the worker can step aside: acknowledging HubSpot within its 5 s
 * deadline matters more than processing a moment earlier, and in one process (one event loop, and on SQLite
 * one connection) the two compete.
 */
export class IntakeActivity {
  private active = 0;

  get inFlight(): number {
    return this.active;
  }

  begin(): () => void {
    this.active += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
    };
  }
}
