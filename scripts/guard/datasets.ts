import { fileURLToPath } from 'node:url';

/** `shared/datasets` beside the checkout (as in CI), unless WARDEN_DATASETS names another place. */
export const DATASETS = process.env.WARDEN_DATASETS ?? fileURLToPath(new URL('../../../shared/datasets', import.meta.url));
