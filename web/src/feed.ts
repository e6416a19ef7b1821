import {
  broadcastWellsService,
  realtimeWellsService,
  type ConnectOptions,
  type RealtimeWellsService,
  type WellsPath,
  type WellsSink,
} from "../../examples/src/lib/services/realtime-wells-service";

/** What the page's toggle offers, in its order. */
export const WELLS_PATHS: readonly WellsPath[] = ["postgres_changes", "broadcast"];

/**
 * The page's one feed of the wells table: one path at a time into one sink. A switch leaves the
 * current path's channel, then joins the other, whose snapshot replaces the rows; switches run one
 * after another, so quick toggling never leaves two channels feeding the table.
 */
export class WellsFeed {
  private readonly services: Record<WellsPath, RealtimeWellsService> = {
    postgres_changes: realtimeWellsService,
    broadcast: broadcastWellsService,
  };
  private current: WellsPath;
  private switching: Promise<void> = Promise.resolve();

  constructor(private readonly sink: WellsSink, private readonly options: ConnectOptions, initial: WellsPath) {
    this.current = initial;
    this.services[initial].connect(sink, options);
  }

  /** The path that feeds the table now (or is being joined). */
  get path(): WellsPath {
    return this.current;
  }

  /** Switches to `path`; resolves once its channel is being joined. */
  use(path: WellsPath): Promise<void> {
    this.switching = this.switching.then(async () => {
      if (path === this.current) {
        return;
      }
      const previous = this.services[this.current];
      this.current = path;
      await previous.disconnect();
      this.services[path].connect(this.sink, this.options);
    });
    return this.switching;
  }
}
