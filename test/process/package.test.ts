import { execFile } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/harness.js';

const run = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname;
// npm and the installed bin run on this Node (24), whatever the system's default is.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

describe('the npm package', () => {
  it('installs from its tarball into an empty folder and gives a working bin', { timeout: 120_000 }, async () => {
    const packDir = await tempDir('wes-pack-');
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repo, env });
    const [tarball] = (await readdir(packDir)).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = await tempDir('wes-install-');
    await run('npm', ['init', '-y'], { cwd: app, env });
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball!)], { cwd: app, env });

    const bin = join(app, 'node_modules', '.bin', 'workos-events-sync');
    const version = await run(bin, ['--version'], { cwd: app, env });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    // The package carries its JSON Schema where the example's "$schema" points, its license,
    // changelog and the docs its README links to.
    const installed = join(app, 'node_modules', 'workos-events-sync');
    const schemaRef = (JSON.parse(await readFile(join(installed, 'config.example.json'), 'utf8')) as { $schema: string }).$schema;
    const schema = JSON.parse(await readFile(join(installed, schemaRef), 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const file of ['LICENSE', 'CHANGELOG.md', 'docs/README.md', 'docs/configuration.md']) await expect(access(join(installed, file)), file).resolves.toBeUndefined();

    // The packaged example config validates; without a key, `check` refuses with exit 78.
    const example = join(installed, 'config.example.json');
    const check = await run(bin, ['check', '--config', example], { cwd: app, env: { ...env, WORKOS_API_KEY: '' } }).catch((err: { code: number; stderr: string }) => err);
    expect(check).toMatchObject({ code: 78, stderr: expect.stringContaining('WORKOS_API_KEY is not set') });
  });
});
