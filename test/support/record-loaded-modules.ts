// Preloaded into a CLI process (`node --import ./test/support/record-loaded-modules.ts ...`): records
// the URL of every module resolved, by `import` and by `require` alike, and writes them, one a line,
// to $LOADED_MODULES_FILE at exit. Erasable TypeScript and node: imports only, so plain `node` runs it.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.LOADED_MODULES_FILE;
if (out) {
  const urls = new Set<string>();
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      urls.add(resolved.url);
      return resolved;
    },
  });
  process.on('exit', () => writeFileSync(out, [...urls].join('\n')));
}
