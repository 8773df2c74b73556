/**
 * Operations of the live gateway (spec §18.6): client orders, accepts and rejections by
 * reason per session, open orders and open notional per account, session events and mass
 * cancels — as Prometheus metrics (read from the gateway and the router at scrape time, so
 * the order path pays nothing for them), as the dashboard's `orderEntry` state, and as
 * `order_entry` lines in the audit log.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/index.ts';
import type { AuditWriter } from '../control/audit.ts';
import { formatDollars } from '../control/limits.ts';
import type { Gateway, SessionEvent } from '../ouch/gateway.ts';
import { REASON_NAMES } from '../records/layout.ts';
import type { KillScope, OrderRouter } from './router.ts';

/** Session event kinds counted per session (the audit log has the details). */
const EVENTS: readonly SessionEvent['event'][] = ['login', 'login_refused', 'logout', 'disconnect', 'reject', 'problem'];

export class OrderEntryOps {
  /** Session events per session and kind ("" for a connection that never logged in). */
  private readonly events = new Map<string, Record<string, number>>();
  private readonly massCancels = { global: 0, account: 0, symbol: 0 };

  constructor(
    private readonly config: Config,
    private readonly gateway: Gateway,
    private readonly router: OrderRouter,
    private readonly audit: { writer?: AuditWriter; run: string; seq: () => number } | null,
  ) {
    router.onMassCancel = (k, n) => this.onMassCancel(k, n);
  }

  /** The gateway's `onEvent`: counted, and one audit line each. */
  readonly onEvent = (e: SessionEvent): void => {
    const name = e.session ?? '';
    let c = this.events.get(name);
    if (!c) {
      c = Object.fromEntries(EVENTS.map((k) => [k, 0]));
      this.events.set(name, c);
    }
    c[e.event] = (c[e.event] ?? 0) + 1;
    this.audit?.writer?.write({ type: 'order_entry', run: this.audit.run, wallTime: new Date().toISOString(), seq: this.audit.seq(), ...e });
  };

  private onMassCancel(k: KillScope, orders: number): void {
    this.massCancels[k.scope] += orders;
    const scope = k.scope === 'global' ? '*' : k.scope === 'account' ? `account ${this.config.accounts[k.account]?.name}` : `symbol ${this.config.symbols[k.symbol]?.symbol}`;
    this.audit?.writer?.write({ type: 'order_entry', run: this.audit.run, wallTime: new Date().toISOString(), seq: this.audit.seq(), event: 'mass_cancel', scope, orders });
  }

  /** The dashboard's view: sessions, accounts, mass cancels. */
  snapshot(): Record<string, unknown> {
    const st = this.gateway.stats();
    const open = this.router.openByAccount(this.config.accounts.length);
    const sessions = (this.config.orderEntry?.sessions ?? []).map((s) => {
      const g = st.sessions[s.username];
      const r = this.router.sessions.get(s.username);
      const byReason: Record<string, number> = {};
      REASON_NAMES.forEach((n, b) => {
        if (r && r.reasonBits[b] > 0) byReason[n] = r.reasonBits[b];
      });
      return {
        session: s.username, account: this.config.accounts[s.account]?.name,
        checked: g?.checked ?? 0, accepted: g?.accepted ?? 0, rejected: g?.rejected ?? 0, rejectedByReason: byReason,
        executed: g?.executed ?? 0, canceled: g?.canceled ?? 0, events: this.events.get(s.username) ?? {},
      };
    });
    const accounts = this.config.accounts.map((a, i) => ({ account: a.name, openOrders: open.orders[i], openNotional: formatDollars(open.notional[i]) }));
    return { sessions, accounts, massCanceled: { ...this.massCancels }, unmatchedVenueAnswers: this.router.unmatched };
  }

  /** Registers the order-entry metrics; their values are read when Prometheus scrapes. */
  register(registry: Registry): void {
    const registers = [registry];
    const ops = this;
    const sessions = this.config.orderEntry?.sessions ?? [];
    new Counter({
      name: 'riskgate_client_orders_total', help: 'Client orders (enter and replace) the engine checked, by session and verdict', labelNames: ['session', 'verdict'], registers,
      collect() {
        this.reset();
        for (const s of sessions) {
          const r = ops.router.sessions.get(s.username);
          this.inc({ session: s.username, verdict: 'accepted' }, r?.accepted ?? 0);
          this.inc({ session: s.username, verdict: 'rejected' }, r?.rejected ?? 0);
        }
      },
    });
    new Counter({
      name: 'riskgate_client_rejections_total', help: 'Failing checks of client orders, by session and reason bit (an order can fail several)', labelNames: ['session', 'reason'], registers,
      collect() {
        this.reset();
        for (const s of sessions) {
          const r = ops.router.sessions.get(s.username);
          REASON_NAMES.forEach((n, b) => this.inc({ session: s.username, reason: n }, r?.reasonBits[b] ?? 0));
        }
      },
    });
    new Counter({
      name: 'riskgate_client_session_events_total', help: 'Order-entry session events: login, login_refused, logout, disconnect, reject, problem', labelNames: ['session', 'event'], registers,
      collect() {
        this.reset();
        for (const [name, c] of ops.events) for (const e of EVENTS) this.inc({ session: name, event: e }, c[e] ?? 0);
      },
    });
    new Counter({
      name: 'riskgate_client_executions_total', help: 'Venue executions relayed to clients, by session', labelNames: ['session'], registers,
      collect() {
        this.reset();
        const st = ops.gateway.stats().sessions;
        for (const s of sessions) this.inc({ session: s.username }, st[s.username]?.executed ?? 0);
      },
    });
    new Counter({
      name: 'riskgate_client_mass_canceled_total', help: 'Open client orders canceled by a kill, by its scope (global, account, symbol)', labelNames: ['scope'], registers,
      collect() {
        this.reset();
        for (const [k, n] of Object.entries(ops.massCancels)) this.inc({ scope: k }, n);
      },
    });
    new Gauge({
      name: 'riskgate_client_open_orders', help: 'Open client orders per account', labelNames: ['account'], registers,
      collect() {
        const open = ops.router.openByAccount(ops.config.accounts.length);
        ops.config.accounts.forEach((a, i) => this.set({ account: a.name }, open.orders[i]));
      },
    });
    new Gauge({
      name: 'riskgate_client_open_notional_dollars', help: 'Open notional (price x open shares) of client orders per account, dollars', labelNames: ['account'], registers,
      collect() {
        const open = ops.router.openByAccount(ops.config.accounts.length);
        ops.config.accounts.forEach((a, i) => this.set({ account: a.name }, Number(open.notional[i]) / 1e4));
      },
    });
  }
}
