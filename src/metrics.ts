import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the service layer reports as it works; metrics are one listener, tests can be another. */
export interface Telemetry {
  posted(by: 'agent' | 'operator'): void;
  delivered(count: number): void;
  /** A parked poll answered `ms` after the newest message it carries was posted. */
  woke(ms: number): void;
  rateLimited(): void;
  authFailed(kind: 'agent' | 'admin'): void;
}

/** Telemetry that goes nowhere (CLI commands, tests that do not look). */
export const NO_TELEMETRY: Telemetry = {
  posted: () => undefined,
  delivered: () => undefined,
  woke: () => undefined,
  rateLimited: () => undefined,
  authFailed: () => undefined,
};

/** Where the gauges read their values when scraped. */
export interface MetricSources {
  /** Readers parked on this node. */
  parked(): number;
  /** Rooms with at least one message. */
  rooms(): Promise<number>;
  /** Codes that exist. */
  codes(): Promise<number>;
}

/** The Prometheus metrics of one bridge process (GET /metrics). */
export class Metrics implements Telemetry {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly posts: Counter<'by'>;
  private readonly deliveries: Counter;
  private readonly wakes: Histogram;
  private readonly limited: Counter;
  private readonly authFailures: Counter<'kind'>;

  constructor(gauges: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'argybargy_' });
    this.requests = new Counter({
      name: 'argybargy_http_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'argybargy_http_request_duration_seconds',
      help: 'Time to answer HTTP requests (long-polls include their wait).',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15, 30, 60],
      registers,
    });
    this.posts = new Counter({
      name: 'argybargy_messages_posted_total',
      help: 'Messages stored.',
      labelNames: ['by'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'argybargy_deliveries_total',
      help: 'Messages handed to readers (poll, stream, MCP).',
      registers,
    });
    this.wakes = new Histogram({
      name: 'argybargy_wake_latency_seconds',
      help: 'From a post to the answer of a poll it woke.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.limited = new Counter({
      name: 'argybargy_rate_limited_total',
      help: 'Posts refused by the rate limit.',
      registers,
    });
    this.authFailures = new Counter({
      name: 'argybargy_auth_failures_total',
      help: 'Refused credentials, agent codes or the admin token.',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'argybargy_parked_polls',
      help: 'Long-polls and streams waiting on this node.',
      registers,
      collect() {
        this.set(gauges.parked());
      },
    });
    new Gauge({
      name: 'argybargy_rooms',
      help: 'Rooms with at least one message (as /admin/stats counts them).',
      registers,
      async collect() {
        this.set(await gauges.rooms());
      },
    });
    new Gauge({
      name: 'argybargy_codes',
      help: 'Access codes that exist.',
      registers,
      async collect() {
        this.set(await gauges.codes());
      },
    });
  }

  /** Counts one answered request. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  posted(by: 'agent' | 'operator'): void {
    this.posts.inc({ by });
  }

  delivered(count: number): void {
    if (count > 0) this.deliveries.inc(count);
  }

  woke(ms: number): void {
    this.wakes.observe(Math.max(0, ms) / 1000);
  }

  rateLimited(): void {
    this.limited.inc();
  }

  authFailed(kind: 'agent' | 'admin'): void {
    this.authFailures.inc({ kind });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
