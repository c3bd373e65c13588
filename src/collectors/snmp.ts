// Protocol counters from /proc/net/snmp and /proc/net/netstat (parser:
// src/collectors/procfs/net-snmp.ts). Result keys are "Section.Name".
import * as fs from 'node:fs';
import { parseSnmp, type SnmpCounters } from './procfs/net-snmp.js';

export type { SnmpCounters } from './procfs/net-snmp.js';

export interface SnmpSample {
  mono: number;
  counters: SnmpCounters;
}

export function readSnmpSample(procRoot = '/proc'): SnmpSample {
  const mono = Number(process.hrtime.bigint()) / 1e9;
  const counters: SnmpCounters = {};
  for (const f of ['snmp', 'netstat']) {
    try {
      parseSnmp(fs.readFileSync(`${procRoot}/net/${f}`, 'latin1'), counters);
    } catch {
      // absent in some containers
    }
  }
  return { mono, counters };
}
