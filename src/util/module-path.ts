import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of a module next to `base` (an `import.meta.url`), as the code
 * runs: `.ts` from the sources under tsx, `.js` once `npm run build` has
 * compiled it to dist/.
 */
export function modulePath(relative: string, base: string): string {
  return fileURLToPath(new URL(relative.replace(/\.ts$/, extname(fileURLToPath(base))), base));
}
