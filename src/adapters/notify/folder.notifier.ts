import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Notifier } from '../../app/ports/notifier.port.ts';

/** Local mail: one JSON file per message under `{DATA_DIR}/mail/`, named by time and id. */
export function folderNotifier(dataDir: string, log: (line: string) => void = () => undefined): Notifier {
  const folder = path.join(dataDir, 'mail');
  return {
    async send(mail) {
      await mkdir(folder, { recursive: true });
      const file = path.join(
        folder,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.id.replace(/[^A-Za-z0-9-]/g, '_')}.json`,
      );
      await writeFile(file, `${JSON.stringify(mail, null, 2)}\n`, { flag: 'w' });
      log(`mail to ${mail.to} (${mail.kind}): ${file}`);
    },
  };
}
