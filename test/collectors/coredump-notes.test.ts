import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCoreFileInfo } from '../../src/collectors/coredump.js';

const haveTools = gate('test/collectors/coredump-notes', missingProgram('cc', 'gcore')) === null;

describe.skipIf(!haveTools)('core file notes (needs cc and gcore)', () => {
  it('reads pid, comm, args and executable from a gcore dump', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-notes-'));
    fs.writeFileSync(path.join(d, 'sleeper.c'), '#include <unistd.h>\nint main(){ for(;;) pause(); }\n');
    execFileSync('cc', ['-o', path.join(d, 'sleeper'), path.join(d, 'sleeper.c')]);
    const child = (await_spawn(path.join(d, 'sleeper'), ['arg1']));
    try {
      execFileSync('gcore', ['-o', path.join(d, 'core'), String(child.pid)], { stdio: 'ignore' });
      const info = readCoreFileInfo(path.join(d, `core.${child.pid}`))!;
      expect(info.pid).toBe(child.pid);
      expect(info.fname).toBe('sleeper');
      expect(info.psargs).toContain('sleeper'); // gcore fills psargs with the program only; kernel cores carry the arguments (see test/failures)
      expect(info.exe).toBe(path.join(d, 'sleeper'));
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(d, { recursive: true });
    }
  });
});

import { spawn } from 'node:child_process';
import { gate, missingProgram } from '../helpers/native.js';
function await_spawn(cmd: string, args: string[]) {
  return spawn(cmd, args, { stdio: 'ignore' });
}
