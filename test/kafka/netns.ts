// Network namespaces for the Kafka tests (test/kafka/shard-netns.test.ts): a bridge in the root
// namespace and one namespace per role, each joined to the bridge by a veth pair, on a private
// /24 that stays inside this machine. Everything created carries a unique prefix and is removed
// by `destroy()` (also after a failure); without `ip netns` (or root) the test fails loudly.
import { execFileSync, spawnSync } from 'node:child_process';

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message} (the namespace tests need iproute2 and root)`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Throws a clear error unless this process may create network namespaces. */
export function requireNetns(): void {
  const probe = `rgprobe${process.pid % 100000}`;
  try {
    ip(['netns', 'add', probe]);
  } catch (e) {
    throw new Error(`network namespaces are unavailable, so this test cannot run (it needs root and \`ip netns add\`): ${(e as Error).message}`);
  }
  ip(['netns', 'del', probe]);
}

/** A /24 of 10.77.0.0/16 that no interface of the root namespace uses yet. */
function freeSubnet(): number {
  const used = ip(['-4', 'addr', 'show']);
  for (let tries = 0; tries < 200; tries++) {
    const x = 100 + ((process.pid + tries * 7) % 150);
    if (!used.includes(`10.77.${x}.`)) return x;
  }
  throw new Error('no free 10.77.x.0/24 subnet in the root namespace');
}

export interface Node {
  /** The namespace's name. */
  ns: string;
  /** Its address on the bridge. */
  addr: string;
  /** The veth ends: `host` on the bridge, `peer` inside the namespace. */
  host: string;
  peer: string;
}

export class NetnsLab {
  readonly prefix: string;
  readonly bridge: string;
  readonly subnet: number;
  /** The root namespace's address on the bridge (the test process reaches every node through it). */
  readonly rootAddr: string;
  private readonly nodes = new Map<string, Node>();
  private nextHost = 10;

  constructor() {
    // Interface names have at most 15 bytes: rg + 4 base-36 chars + a role suffix.
    this.prefix = `rg${(process.pid % 1_679_616).toString(36).padStart(4, '0')}`;
    this.subnet = freeSubnet();
    this.bridge = `${this.prefix}br`;
    this.rootAddr = `10.77.${this.subnet}.254`;
    ip(['link', 'add', this.bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${this.rootAddr}/24`, 'dev', this.bridge]);
    ip(['link', 'set', this.bridge, 'up']);
  }

  /** A namespace `name` (short: it goes into interface names) with its own address; created again after `kill`. */
  add(name: string, host?: number): Node {
    const old = this.nodes.get(name);
    const n: Node = old ?? {
      ns: `${this.prefix}-${name}`,
      addr: `10.77.${this.subnet}.${host ?? this.nextHost++}`,
      host: `${this.prefix}${name}h`,
      peer: `${this.prefix}${name}n`,
    };
    this.nodes.set(name, n);
    ip(['netns', 'add', n.ns]);
    ip(['link', 'add', n.host, 'type', 'veth', 'peer', 'name', n.peer]);
    ip(['link', 'set', n.peer, 'netns', n.ns]);
    ip(['link', 'set', n.host, 'master', this.bridge, 'up']);
    ip(['-n', n.ns, 'addr', 'add', `${n.addr}/24`, 'dev', n.peer]);
    ip(['-n', n.ns, 'link', 'set', n.peer, 'up']);
    ip(['-n', n.ns, 'link', 'set', 'lo', 'up']);
    return n;
  }

  /** The command prefix that runs a program inside `node`'s namespace. */
  exec(node: Node): string[] {
    return ['ip', 'netns', 'exec', node.ns];
  }

  /** Processes running in `node`'s namespace. */
  pids(node: Node): number[] {
    const r = spawnSync('ip', ['netns', 'pids', node.ns], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
  }

  /**
   * The loss of a machine: its link goes down, every process in it is SIGKILLed, and the
   * namespace with its veth pair is deleted. `add(name)` brings it back with the same address.
   */
  kill(node: Node): number[] {
    spawnSync('ip', ['link', 'set', node.host, 'down']);
    const pids = this.pids(node);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.remove(node);
    return pids;
  }

  private remove(node: Node): void {
    // Deleting the namespace destroys its veth end and with it the pair.
    spawnSync('ip', ['netns', 'del', node.ns]);
    spawnSync('ip', ['link', 'del', node.host]);
  }

  /** Kills whatever still runs in the lab's namespaces and deletes them and the bridge. */
  destroy(): void {
    for (const n of this.nodes.values()) {
      for (const pid of this.pids(n)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      this.remove(n);
    }
    spawnSync('ip', ['link', 'del', this.bridge]);
    const left = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(this.prefix));
    const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith(this.prefix));
    if (left.length || ns.length) throw new Error(`netns lab ${this.prefix}: left behind ${[...left, ...ns].join('; ')}`);
  }
}
