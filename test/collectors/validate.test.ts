// The command-line checks that look at the system (src/collectors/validate.ts):
// the PID exists, the user is in passwd, the interface is in /sys/class/net.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseIface, parsePid, parsePidList, parseUser, pidMax } from '../../src/collectors/validate.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-args-'));
}

describe('PIDs', () => {
  it('reads pid_max, with the kernel limit when it cannot', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'pid_max'), '32768\n');
    expect(pidMax(path.join(d, 'pid_max'))).toBe(32768);
    expect(pidMax(path.join(d, 'none'))).toBe(4194304);
  });
  it('takes PIDs that exist, refuses the others by name', () => {
    const proc = tmp();
    fs.mkdirSync(path.join(proc, '42'));
    fs.mkdirSync(path.join(proc, '43'));
    const o = { procRoot: proc, pidMax: 100 };
    expect(parsePid('42', '-p', o)).toBe(42);
    expect(parsePidList('43,42,43', '-p', o)).toEqual([43, 42]);
    expect(() => parsePid('44', '-p', o)).toThrow("-p: no process with PID 44");
    expect(() => parsePid('100', '-p', o)).toThrow("-p: '100' is not a PID (a whole number from 1 to 99");
    expect(() => parsePid('0', '-p', o)).toThrow("'0' is not a PID");
    expect(() => parsePid('4294967338', '-p', o)).toThrow('is not a PID'); // 42 mod 2^32: no wrap-around
    expect(() => parsePid('042', '-p', o)).not.toThrow(); // leading zero: still decimal 42
    expect(() => parsePid(' 42', '-p', o)).toThrow('is not a PID');
    expect(() => parsePidList('42,,43', '-p', o)).toThrow('has an empty item');
    expect(() => parsePidList('42,44', '-p', o)).toThrow('no process with PID 44');
  });
  it('checks the live /proc by default', () => {
    expect(parsePid(String(process.pid), '--pid')).toBe(process.pid);
  });
});

describe('users', () => {
  it('takes names and uids the passwd file lists, nothing else', () => {
    const d = tmp();
    const pw = path.join(d, 'passwd');
    fs.writeFileSync(pw, 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n1234:x:1500:1500::/:/bin/sh\n');
    expect(parseUser('alice', '-u', pw)).toBe(1000);
    expect(parseUser('1000', '-u', pw)).toBe(1000);
    expect(parseUser('0', '-u', pw)).toBe(0);
    expect(parseUser('1234', '-u', pw)).toBe(1500); // a name that looks like a number is the name first
    expect(() => parseUser('bob', '-u', pw)).toThrow(`-u: no user 'bob' in ${pw}`);
    expect(() => parseUser('4242', '-u', pw)).toThrow("-u: no user '4242'");
    expect(() => parseUser('', '-u', pw)).toThrow('-u needs a user name or uid');
  });
});

describe('interfaces', () => {
  it('takes the names /sys/class/net lists and names the others', () => {
    const d = tmp();
    for (const n of ['lo', 'eth0']) fs.mkdirSync(path.join(d, n));
    expect(parseIface('eth0', '--iface', d)).toBe('eth0');
    expect(() => parseIface('nosuch', '--iface', d)).toThrow("--iface: no network interface 'nosuch' (interfaces: eth0, lo)");
    expect(() => parseIface('.', '--iface', d)).toThrow('no network interface');
    expect(() => parseIface('', '--iface', d)).toThrow('needs an interface name');
  });
});
