// Debian's chromium, driven by playwright-core: no browser download, the machine's own package
// (`apt-get install chromium`, as .ci/run does). CHROMIUM_PATH points elsewhere when set.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath: string | undefined = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);

export async function launchChromium(): Promise<Browser> {
  if (chromiumPath === undefined) throw new Error('no chromium executable: apt-get install -y chromium, or set CHROMIUM_PATH');
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}
